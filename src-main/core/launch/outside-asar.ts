/**
 * Files another program reads must be real files. In the packaged desktop app dist/ sits inside
 * app.asar, which only Electron's own fs can read; what electron-builder.yml unpacks (asarUnpack:
 * the worker bundle and its .wasm, the torch scripts) lies beside it in app.asar.unpacked/. The
 * Node.js that runs workers and the Python of torch ranks get that copy's path.
 */

/** `path` with its `app.asar` folder replaced by `app.asar.unpacked`; other paths unchanged. */
export function outsideAsar(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}
