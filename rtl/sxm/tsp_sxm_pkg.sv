// SXM constants derived from the ISA table: the pipeline depth is the longest
// SXM latency.
package tsp_sxm_pkg;
  import tsp_isa_pkg::*;
  localparam int unsigned Max1 = LatShiftup > LatShiftdn ? LatShiftup : LatShiftdn;
  localparam int unsigned Max2 = Max1 > LatSelect ? Max1 : LatSelect;
  localparam int unsigned Max3 = Max2 > LatPermute ? Max2 : LatPermute;
  localparam int unsigned Max4 = Max3 > LatDistribute ? Max3 : LatDistribute;
  localparam int unsigned Max5 = Max4 > LatRotate ? Max4 : LatRotate;
  localparam int unsigned MaxLat = Max5 > LatTranspose ? Max5 : LatTranspose;
endpackage
