set terminal pngcairo size 900,540 noenhanced font 'DejaVu Sans,10'
set output 'throughput-stress-unclaim.png'
set title 'stress/unclaim: ops/s vs threads'
set xlabel 'threads'
set ylabel 'ops/s'
set grid
set key outside right top
set datafile separator '\t'
set bars small
set format y '%.3g'
set xtics ('2' 2.0)
set xrange [1.0:3.0]
plot 'data/throughput-stress-unclaim.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc 1 dt 1 pt 7 ps 0.8 title 'itree', \
     'data/throughput-stress-unclaim.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc 2 dt 1 pt 7 ps 0.8 title 'rcu', \
     'data/throughput-stress-unclaim.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc 3 dt 1 pt 7 ps 0.8 title 'rwlock'
set terminal svg size 900,540 fixed noenhanced font 'DejaVu Sans,10'
set output 'throughput-stress-unclaim.svg'
replot
set output
