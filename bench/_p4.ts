import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
const cpu = tf.getKernelsForBackend('cpu').map((k) => k.kernelName);
const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
console.log(cpu.filter((n) => !wasm.has(n)).join(' '));
