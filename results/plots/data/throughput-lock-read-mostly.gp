set terminal pngcairo size 900,540 noenhanced font 'DejaVu Sans,10'
set output 'throughput-lock-read-mostly.png'
set title 'lock/read-mostly: acquisitions/s vs threads'
set xlabel 'threads'
set ylabel 'acquisitions/s'
set grid
set key outside right top
set datafile separator '\t'
set bars small
set format y '%.3g'
set logscale y
set xtics ('1' 1.0, '2' 2.0, '4' 4.0)
set xrange [0.85:4.15]
plot 'data/throughput-lock-read-mostly.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc 1 dt 1 pt 7 ps 0.8 title 'brlock', \
     'data/throughput-lock-read-mostly.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc 2 dt 1 pt 7 ps 0.8 title 'pthread-rw', \
     'data/throughput-lock-read-mostly.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc 3 dt 1 pt 7 ps 0.8 title 'qrwlock', \
     'data/throughput-lock-read-mostly.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 lc 4 dt 1 pt 7 ps 0.8 title 'ticket'
set terminal svg size 900,540 fixed noenhanced font 'DejaVu Sans,10'
set output 'throughput-lock-read-mostly.svg'
replot
set output
