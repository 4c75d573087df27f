set terminal pngcairo size 900,540 noenhanced font 'DejaVu Sans,10'
set output 'throughput-pgtable-churn-sharded.png'
set title 'pgtable/churn/sharded: ops/s (per CPU second) vs threads'
set xlabel 'threads'
set ylabel 'ops/s (per CPU second)'
set grid
set key outside right top
set datafile separator '\t'
set bars small
set format y '%.3g'
set xtics ('1' 1.0, '2' 2.0)
set xrange [0.95:2.05]
plot 'data/throughput-pgtable-churn-sharded.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc 1 dt 1 pt 7 ps 0.8 title 'pgtable'
set terminal svg size 900,540 fixed noenhanced font 'DejaVu Sans,10'
set output 'throughput-pgtable-churn-sharded.svg'
replot
set output
