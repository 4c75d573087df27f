set terminal pngcairo size 900,540 noenhanced font 'DejaVu Sans,10'
set output 'latency-tree_rw-readers-1-writer-0.png'
set title 'tree_rw readers:1/writer:0: latency percentiles'
set xlabel 'percentile'
set ylabel 'latency (ns)'
set grid
set key outside right top
set datafile separator '\t'
set bars small
set format y '%.3g'
set logscale y
set xtics ('p50' 0.3010299956639812, 'p99' 1.9999999999999996, 'p99.9' 3.000000000000048)
set xrange [0.16608149544717785:3.134948500216851]
plot 'data/latency-tree_rw-readers-1-writer-0.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc 1 dt 1 pt 7 ps 0.8 title 'itree', \
     'data/latency-tree_rw-readers-1-writer-0.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc 2 dt 1 pt 7 ps 0.8 title 'rcu', \
     'data/latency-tree_rw-readers-1-writer-0.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc 3 dt 1 pt 7 ps 0.8 title 'rwlock'
set terminal svg size 900,540 fixed noenhanced font 'DejaVu Sans,10'
set output 'latency-tree_rw-readers-1-writer-0.svg'
replot
set output
