set terminal pngcairo size 900,540 noenhanced font 'DejaVu Sans,10'
set output 'scaling-tree-request_release.png'
set title 'tree/request_release: time per op vs tree size'
set xlabel 'regions in the tree (n)'
set ylabel 'CPU time per op (ns)'
set grid
set key outside right top
set datafile separator '\t'
set bars small
set format y '%.3g'
set logscale x
set logscale y
set xtics ('100' 100.0, '10000' 10000.0)
set xrange [50.0:20000.0]
plot 'data/scaling-tree-request_release.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc 1 dt 1 pt 7 ps 0.8 title 'itree', \
     'data/scaling-tree-request_release.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc 2 dt 1 pt 7 ps 0.8 title 'rcu', \
     'data/scaling-tree-request_release.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc 3 dt 1 pt 7 ps 0.8 title 'rwlock'
set terminal svg size 900,540 fixed noenhanced font 'DejaVu Sans,10'
set output 'scaling-tree-request_release.svg'
replot
set output
