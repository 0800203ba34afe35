{
  "targets": [
    {
      "target_name": "mmapkit_native",
      "sources": [
        "native/addon.cc",
        "native/constants.cc",
        "native/errors.cc",
        "native/registry.cc",
        "native/region.cc",
        "native/mapping.cc",
        "native/workers.cc",
        "native/shm.cc",
        "native/guard.cc",
        "native/faults.cc",
        "native/memory.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lrt"],
      "conditions": [
        ["OS=='linux'", {
          "libraries": ["-ldl"],
          "ldflags": ["-Wl,-z,nodelete"]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "GCC_ENABLE_CPP_EXCEPTIONS": "NO"
          }
        }]
      ]
    }
  ]
}
