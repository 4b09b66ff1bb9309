// A BERT self-attention layer as torch-mlir lowers it to linalg (B=1, H=4,
// N=M=128, D=64, additive mask [1,1,N,M]): transposed K, batch_matmul on
// shapes collapsed to rank 3, the 1/sqrt(D) scale as a divf generic, the mask
// addf, the softmax as max/sub/exp/sum/div generics, and P·V.
//
//   hdp-opt --hdp-raise-attention="config='#hdp.config<rho = 0.3>'" \
//     examples/bert_self_attention.mlir
//
// rewrites the whole chain into one hdp.attention; hdp-run compiles and runs
// either form.
#map = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#map1 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map12 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#map13 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
#map14 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#map15 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, 0)>
func.func @bert_self_attention(%q: tensor<1x4x128x64xf32>, %k: tensor<1x4x128x64xf32>, %v: tensor<1x4x128x64xf32>, %mask: tensor<1x1x128x128xf32>) -> tensor<1x4x128x64xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %cst_0 = arith.constant 0xFF800000 : f32
  %c0_i64 = arith.constant 0 : i64
  %cst_7 = arith.constant 8.000000e+00 : f32
  %0 = tensor.empty() : tensor<1x4x64x128xf32>
  %1 = linalg.generic {indexing_maps = [#map1, #map12], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k : tensor<1x4x128x64xf32>) outs(%0 : tensor<1x4x64x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x64x128xf32>
  %collapsed = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x4x128x64xf32> into tensor<4x128x64xf32>
  %collapsed_1 = tensor.collapse_shape %1 [[0, 1], [2], [3]] : tensor<1x4x64x128xf32> into tensor<4x64x128xf32>
  %2 = tensor.empty() : tensor<4x128x128xf32>
  %3 = linalg.fill ins(%cst : f32) outs(%2 : tensor<4x128x128xf32>) -> tensor<4x128x128xf32>
  %4 = linalg.batch_matmul ins(%collapsed, %collapsed_1 : tensor<4x128x64xf32>, tensor<4x64x128xf32>) outs(%3 : tensor<4x128x128xf32>) -> tensor<4x128x128xf32>
  %expanded = tensor.expand_shape %4 [[0, 1], [2], [3]] output_shape [1, 4, 128, 128] : tensor<4x128x128xf32> into tensor<1x4x128x128xf32>
  %5 = tensor.empty() : tensor<1x4x128x128xf32>
  %6 = linalg.generic {indexing_maps = [#map13, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x4x128x128xf32>) outs(%5 : tensor<1x4x128x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %30 = arith.divf %in, %cst_7 : f32
    linalg.yield %30 : f32
  } -> tensor<1x4x128x128xf32>
  %7 = linalg.generic {indexing_maps = [#map13, #map, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%6, %mask : tensor<1x4x128x128xf32>, tensor<1x1x128x128xf32>) outs(%5 : tensor<1x4x128x128xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %30 = arith.addf %in, %in_2 : f32
    linalg.yield %30 : f32
  } -> tensor<1x4x128x128xf32>
  %8 = tensor.empty() : tensor<1x4x128x1xi64>
  %9 = linalg.fill ins(%c0_i64 : i64) outs(%8 : tensor<1x4x128x1xi64>) -> tensor<1x4x128x1xi64>
  %10 = tensor.empty() : tensor<1x4x128x1xf32>
  %11 = linalg.fill ins(%cst_0 : f32) outs(%10 : tensor<1x4x128x1xf32>) -> tensor<1x4x128x1xf32>
  %12:2 = linalg.generic {indexing_maps = [#map1, #map14, #map14], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%7 : tensor<1x4x128x128xf32>) outs(%11, %9 : tensor<1x4x128x1xf32>, tensor<1x4x128x1xi64>) {
  ^bb0(%in: f32, %out: f32, %out_2: i64):
    %30 = linalg.index 3 : index
    %31 = arith.index_cast %30 : index to i64
    %32 = arith.maximumf %in, %out : f32
    %33 = arith.cmpf ogt, %in, %out : f32
    %34 = arith.select %33, %31, %out_2 : i64
    linalg.yield %32, %34 : f32, i64
  } -> (tensor<1x4x128x1xf32>, tensor<1x4x128x1xi64>)
  %13 = linalg.generic {indexing_maps = [#map13, #map15, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%7, %12#0 : tensor<1x4x128x128xf32>, tensor<1x4x128x1xf32>) outs(%5 : tensor<1x4x128x128xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %30 = arith.subf %in, %in_2 : f32
    linalg.yield %30 : f32
  } -> tensor<1x4x128x128xf32>
  %14 = linalg.generic {indexing_maps = [#map13, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%13 : tensor<1x4x128x128xf32>) outs(%5 : tensor<1x4x128x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %30 = math.exp %in : f32
    linalg.yield %30 : f32
  } -> tensor<1x4x128x128xf32>
  %15 = linalg.fill ins(%cst : f32) outs(%10 : tensor<1x4x128x1xf32>) -> tensor<1x4x128x1xf32>
  %16 = linalg.generic {indexing_maps = [#map1, #map14], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%14 : tensor<1x4x128x128xf32>) outs(%15 : tensor<1x4x128x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %30 = arith.addf %in, %out : f32
    linalg.yield %30 : f32
  } -> tensor<1x4x128x1xf32>
  %17 = linalg.generic {indexing_maps = [#map13, #map15, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%14, %16 : tensor<1x4x128x128xf32>, tensor<1x4x128x1xf32>) outs(%5 : tensor<1x4x128x128xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %30 = arith.divf %in, %in_2 : f32
    linalg.yield %30 : f32
  } -> tensor<1x4x128x128xf32>
  %18 = linalg.generic {indexing_maps = [#map13, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%17 : tensor<1x4x128x128xf32>) outs(%5 : tensor<1x4x128x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x128x128xf32>
  %collapsed_2 = tensor.collapse_shape %18 [[0, 1], [2], [3]] : tensor<1x4x128x128xf32> into tensor<4x128x128xf32>
  %collapsed_3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x4x128x64xf32> into tensor<4x128x64xf32>
  %19 = tensor.empty() : tensor<4x128x64xf32>
  %20 = linalg.fill ins(%cst : f32) outs(%19 : tensor<4x128x64xf32>) -> tensor<4x128x64xf32>
  %21 = linalg.batch_matmul ins(%collapsed_2, %collapsed_3 : tensor<4x128x128xf32>, tensor<4x128x64xf32>) outs(%20 : tensor<4x128x64xf32>) -> tensor<4x128x64xf32>
  %expanded_4 = tensor.expand_shape %21 [[0, 1], [2], [3]] output_shape [1, 4, 128, 64] : tensor<4x128x64xf32> into tensor<1x4x128x64xf32>
  return %expanded_4 : tensor<1x4x128x64xf32>
}
