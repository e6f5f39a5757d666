{
  "targets": [
    {
      "target_name": "blas",
      "sources": ["blas.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu"],
      "libraries": ["-lopenblas"],
      "cflags": ["-O2"]
    }
  ]
}
