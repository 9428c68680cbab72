# Stand-ins for the Vitis HLS Tcl commands, so that plain tclsh can run
# run_hls.tcl and show what it would ask Vitis for (ctest hls_tcl_flow):
#   tclsh kernels/hls/vitis_stub.tcl [key=value ...]
foreach cmd {open_project set_top add_files open_solution set_part create_clock
             csim_design csynth_design cosim_design export_design} {
    proc $cmd {args} [format {puts "vitis: %s $args"} $cmd]
}
source [file join [file dirname [info script]] run_hls.tcl]
