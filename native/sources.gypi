{
  "variables": {
    "quanta_core_sources": [
      "native/dispatch/cpu_features.cc",
      "native/dispatch/cuda_probe.cc",
      "native/dispatch/kernel_table.cc",
      "native/kernels/ref/binary_gemm_ref.cc",
      "native/kernels/ref/gemm_ref.cc",
      "native/kernels/ref/int4_gemm_ref.cc",
      "native/kernels/ref/kmeans_ref.cc",
      "native/kernels/ref/memory_read_ref.cc",
      "native/kernels/ref/quantize_ref.cc",
      "native/kernels/ref/range_ref.cc",
      "native/kernels/ref/sgemm_ref.cc",
      "native/runtime/binary_gemm.cc",
      "native/runtime/codebook_ops.cc",
      "native/runtime/gemm.cc",
      "native/runtime/gemm_dynamic.cc",
      "native/runtime/gemm_serialize.cc",
      "native/runtime/int4_gemm.cc",
      "native/runtime/linear_ops.cc",
      "native/runtime/range_ops.cc",
      "native/runtime/read_probe.cc",
      "native/runtime/sgemm.cc",
      "native/runtime/thread_pool.cc"
    ],
    "quanta_x86_avx2_sources": [
      "native/kernels/x86_avx2/binary_gemm_avx2.cc",
      "native/kernels/x86_avx2/gelu_avx2.cc",
      "native/kernels/x86_avx2/gemm_avx2.cc",
      "native/kernels/x86_avx2/int4_gemm_avx2.cc",
      "native/kernels/x86_avx2/memory_read_avx2.cc",
      "native/kernels/x86_avx2/quantize_avx2.cc",
      "native/kernels/x86_avx2/range_avx2.cc",
      "native/kernels/x86_avx2/sgemm_avx2.cc"
    ],
    "quanta_x86_avxvnni_sources": [
      "native/kernels/x86_avxvnni/gemm_avxvnni.cc",
      "native/kernels/x86_avxvnni/int4_gemm_avxvnni.cc"
    ],
    "quanta_x86_avx512vnni_sources": [
      "native/kernels/x86_avx512vnni/binary_gemm_avx512.cc",
      "native/kernels/x86_avx512vnni/binary_gemm_avx512_vpopcnt.cc",
      "native/kernels/x86_avx512vnni/gelu_avx512.cc",
      "native/kernels/x86_avx512vnni/gemm_avx512vnni.cc",
      "native/kernels/x86_avx512vnni/int4_gemm_avx512.cc",
      "native/kernels/x86_avx512vnni/kmeans_avx512.cc",
      "native/kernels/x86_avx512vnni/memory_read_avx512.cc",
      "native/kernels/x86_avx512vnni/quantize_avx512.cc",
      "native/kernels/x86_avx512vnni/range_avx512.cc",
      "native/kernels/x86_avx512vnni/sgemm_avx512.cc"
    ],
    "quanta_arm_neon_sources": [
      "native/kernels/arm_neon/binary_gemm_neon.cc",
      "native/kernels/arm_neon/gemm_neon.cc",
      "native/kernels/arm_neon/int4_gemm_neon.cc",
      "native/kernels/arm_neon/memory_read_neon.cc",
      "native/kernels/arm_neon/quantize_neon.cc",
      "native/kernels/arm_neon/range_neon.cc"
    ],
    "quanta_arm_dotprod_sources": [
      "native/kernels/arm_dotprod/gemm_dotprod.cc",
      "native/kernels/arm_dotprod/int4_gemm_dotprod.cc"
    ],
    "quanta_binding_sources": [
      "native/binding/addon.cc",
      "native/binding/args.cc",
      "native/binding/async_call.cc",
      "native/binding/binary_binding.cc",
      "native/binding/codebook_binding.cc",
      "native/binding/gemm_binding.cc",
      "native/binding/int4_binding.cc",
      "native/binding/linear_binding.cc",
      "native/binding/probe_binding.cc",
      "native/binding/range_binding.cc",
      "native/binding/sgemm_binding.cc",
      "native/binding/tensor_args.cc"
    ],
    "quanta_x86_avx2_flags": ["-mavx2", "-mfma", "-mf16c"],
    "quanta_x86_avxvnni_flags": ["-mavx2", "-mfma", "-mf16c", "-mavxvnni"],
    "quanta_x86_avx512vnni_flags": ["-mavx2", "-mfma", "-mf16c", "-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx512vnni"],
    "quanta_arm_neon_flags": ["-march=armv8-a"],
    "quanta_arm_dotprod_flags": ["-march=armv8.2-a+dotprod"]
  }
}
