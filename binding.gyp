{
  "targets": [
    {
      "target_name": "discrescue",
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/sg_io.cc", "native/edc_ecc.cc", "native/addon.cc"],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
          "defines": [
            "NAPI_VERSION=8",
            "NODE_ADDON_API_DISABLE_DEPRECATED",
            "NAPI_CPP_EXCEPTIONS",
            # A worker being terminated cannot take a JS exception; drop it instead of aborting.
            "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
          ],
          "cflags!": ["-fno-exceptions"],
          "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
          "cflags_cc": ["-std=c++20", "-Wall", "-Wextra"]
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
