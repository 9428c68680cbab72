# Vitis HLS flow for the libfracbnn top functions (docs/FPGA.md).
#
#   cd <repo> && vitis_hls -f kernels/hls/run_hls.tcl -tclargs [key=value ...]
#
# keys (defaults in brackets):
#   design=cifar10|pg_layer  [cifar10]  whole-network top or the PG layer engine
#   part=<part>              [xczu3eg-sbva484-1-e]  (Ultra96v2)
#   clock_mhz=<MHz>          [250]      clock period = 1000/MHz ns (250 MHz = 4 ns)
#   steps=csim,csynth,cosim,export  [csim,csynth]
#   fixed=0|16|24            [0]        0 = float epilogue, F = -DFBNN_REAL_FIXED_FRAC=F
#   data=<CIFAR-10 .bin>     [../shared/data/cifar10_test_846.bin, else tests/data/cifar10_test_first64.bin]
#   n=<images for csim/cosim> [846 csim; cosim always uses 2 (RTL simulation is slow)]
#
# Not run on the build machine (no Vitis there): written against the Vitis
# HLS 2022.x/2023.x Tcl commands; the C sources themselves are checked by
# ctest (hls_csim_*, hls_subset_check).

set opts [dict create design cifar10 part xczu3eg-sbva484-1-e clock_mhz 250 steps csim,csynth fixed 0 data "" n 846]
foreach kv $argv {
    set i [string first = $kv]
    if {$i < 1} { puts stderr "run_hls.tcl: argument '$kv' is not key=value"; exit 2 }
    set k [string range $kv 0 [expr {$i - 1}]]
    if {![dict exists $opts $k]} { puts stderr "run_hls.tcl: unknown key '$k'"; exit 2 }
    dict set opts $k [string range $kv [expr {$i + 1}] end]
}
set root [file normalize [file join [file dirname [info script]] .. ..]]
set design [dict get $opts design]
set fixed [dict get $opts fixed]
set steps [split [dict get $opts steps] ,]
set period [format %.4f [expr {1000.0 / [dict get $opts clock_mhz]}]]

set cflags "-I$root/kernels -I$root/kernels/hls -ffp-contract=off"
if {$fixed != 0} { append cflags " -DFBNN_REAL_FIXED_FRAC=$fixed" }
set kernels [lsort [glob $root/kernels/fbnn_k_*.c]]

set data [dict get $opts data]
if {$data eq ""} {
    set data [file normalize [file join $root .. shared data cifar10_test_846.bin]]
    if {![file exists $data]} { set data $root/tests/data/cifar10_test_first64.bin }
}
set golden $root/tests/data/cifar10_ref_logits.f32

if {$design eq "cifar10"} {
    set top cifar10_fracbnn_top
    set srcs [concat $kernels [list $root/kernels/hls/generated/cifar10_fracbnn_top.c]]
    set tb $root/kernels/hls/tb_cifar10_fracbnn.c
    set csim_args "$data $golden [dict get $opts n]"
    set cosim_args "$data $golden 2"
    # a fixed-point build is scored against the float path, not required to equal it
    if {$fixed != 0} { append csim_args " --min-agree 0" ; append cosim_args " --min-agree 0" }
} elseif {$design eq "pg_layer"} {
    set top fbnn_hls_pg_layer
    set srcs [concat $kernels [list $root/kernels/hls/fbnn_pg_layer.c]]
    set tb $root/kernels/hls/tb_pg_layer.c
    set csim_args ""
    set cosim_args ""
} else {
    puts stderr "run_hls.tcl: design must be cifar10 or pg_layer"
    exit 2
}

set proj "hls_${design}_q${fixed}"
open_project -reset $proj
set_top $top
foreach f $srcs { add_files $f -cflags $cflags }
add_files -tb $tb -cflags $cflags
open_solution -reset "sol_[dict get $opts part]_[dict get $opts clock_mhz]MHz" -flow_target vivado
set_part [dict get $opts part]
create_clock -period $period -name default

if {[lsearch $steps csim] >= 0} { csim_design -argv $csim_args }
if {[lsearch $steps csynth] >= 0} { csynth_design }
if {[lsearch $steps cosim] >= 0} { cosim_design -argv $cosim_args }
if {[lsearch $steps export] >= 0} { export_design -format ip_catalog }
exit
