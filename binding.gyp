# node-gyp build of the addon: what node-gyp-build falls back to at install time and what
# prebuildify uses. Sources and per-ISA flags come from native/sources.gypi, the list
# CMakeLists.txt reads too. Each ISA folder is a static library with its own flags; the rest is
# built at the baseline (x86-64 / armv8-a), never with -march=native.
{
  "includes": ["native/sources.gypi"],
  "target_defaults": {
    "cflags_cc": ["-std=c++17", "-fexceptions", "-Wno-maybe-uninitialized", "-Wno-uninitialized"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
    "include_dirs": ["native", "native/include"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17"
    }
  },
  "targets": [
    {
      "target_name": "quanta_core",
      "type": "static_library",
      "sources": ["<@(quanta_core_sources)"],
      "conditions": [
        ["target_arch=='x64'", {
          "dependencies": ["quanta_x86_avx2", "quanta_x86_avxvnni", "quanta_x86_avx512vnni"]
        }],
        ["target_arch=='arm64'", {
          "dependencies": ["quanta_arm_neon", "quanta_arm_dotprod"]
        }]
      ]
    },
    {
      "target_name": "quanta",
      "sources": ["<@(quanta_binding_sources)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=9", "NAPI_CPP_EXCEPTIONS"],
      "dependencies": ["quanta_core"]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "quanta_x86_avx2",
          "type": "static_library",
          "sources": ["<@(quanta_x86_avx2_sources)"],
          "cflags": ["<@(quanta_x86_avx2_flags)"],
          "xcode_settings": {"OTHER_CFLAGS": ["<@(quanta_x86_avx2_flags)"]}
        },
        {
          "target_name": "quanta_x86_avxvnni",
          "type": "static_library",
          "sources": ["<@(quanta_x86_avxvnni_sources)"],
          "cflags": ["<@(quanta_x86_avxvnni_flags)"],
          "xcode_settings": {"OTHER_CFLAGS": ["<@(quanta_x86_avxvnni_flags)"]}
        },
        {
          "target_name": "quanta_x86_avx512vnni",
          "type": "static_library",
          "sources": ["<@(quanta_x86_avx512vnni_sources)"],
          "cflags": ["<@(quanta_x86_avx512vnni_flags)"],
          "xcode_settings": {"OTHER_CFLAGS": ["<@(quanta_x86_avx512vnni_flags)"]}
        }
      ]
    }],
    ["target_arch=='arm64'", {
      "targets": [
        {
          "target_name": "quanta_arm_neon",
          "type": "static_library",
          "sources": ["<@(quanta_arm_neon_sources)"],
          "cflags": ["<@(quanta_arm_neon_flags)"],
          "xcode_settings": {"OTHER_CFLAGS": ["<@(quanta_arm_neon_flags)"]}
        },
        {
          "target_name": "quanta_arm_dotprod",
          "type": "static_library",
          "sources": ["<@(quanta_arm_dotprod_sources)"],
          "cflags": ["<@(quanta_arm_dotprod_flags)"],
          "xcode_settings": {"OTHER_CFLAGS": ["<@(quanta_arm_dotprod_flags)"]}
        }
      ]
    }]
  ]
}
