set terminal pngcairo size 900,540 noenhanced font 'DejaVu Sans,10'
set output 'throughput-tree_rw.png'
set title 'tree_rw: reads/s (all readers) vs readers'
set xlabel 'reader threads'
set ylabel 'reads/s (all readers)'
set grid
set key outside right top
set datafile separator '\t'
set bars small
set format y '%.3g'
set xtics ('1' 1.0, '2' 2.0)
set xrange [0.95:2.05]
plot 'data/throughput-tree_rw.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc 1 dt 1 pt 7 ps 0.8 title 'itree writer:0', \
     'data/throughput-tree_rw.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc 1 dt 2 pt 5 ps 0.8 title 'itree writer:1', \
     'data/throughput-tree_rw.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc 2 dt 1 pt 7 ps 0.8 title 'rcu writer:0', \
     'data/throughput-tree_rw.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 lc 2 dt 2 pt 5 ps 0.8 title 'rcu writer:1', \
     'data/throughput-tree_rw.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 lc 3 dt 1 pt 7 ps 0.8 title 'rwlock writer:0', \
     'data/throughput-tree_rw.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 lc 3 dt 2 pt 5 ps 0.8 title 'rwlock writer:1'
set terminal svg size 900,540 fixed noenhanced font 'DejaVu Sans,10'
set output 'throughput-tree_rw.svg'
replot
set output
