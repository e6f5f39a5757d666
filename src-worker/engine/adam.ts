/** Adam on flat Float32Arrays (PyTorch's formulation, no weight decay); ZeRO-1 runs one per shard. */

/** Adam hyper-parameters. */
export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Adam state (first and second moments) for `length` parameters. */
export class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private stepCount = 0;
  private readonly lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(readonly length: number, options: AdamOptions) {
    this.m = new Float32Array(length);
    this.v = new Float32Array(length);
    this.lr = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** Elements of optimizer state held (m and v). */
  get stateElements(): number {
    return this.m.length + this.v.length;
  }

  /** Updates params in place from grads (both `length` long). */
  step(params: Float32Array, grads: Float32Array): void {
    if (params.length !== this.length || grads.length !== this.length) throw new Error('adam: length mismatch');
    this.stepCount += 1;
    const { m, v, beta1, beta2, epsilon } = this;
    const stepSize = this.lr / (1 - beta1 ** this.stepCount);
    // As torch.optim.Adam: denom = sqrt(v) / sqrt(1 - beta2^t) + eps; moments rounded to float32 as they are stored.
    const invCorrection2Sqrt = 1 / Math.sqrt(1 - beta2 ** this.stepCount);
    const keep1 = 1 - beta1;
    const keep2 = 1 - beta2;
    const n = this.length;
    for (let i = 0; i < n; i += 1) {
      const g = grads[i];
      const mi = Math.fround(beta1 * m[i] + keep1 * g);
      const vi = Math.fround(beta2 * v[i] + keep2 * g * g);
      m[i] = mi;
      v[i] = vi;
      params[i] -= (stepSize * mi) / (Math.sqrt(vi) * invCorrection2Sqrt + epsilon);
    }
  }
}
