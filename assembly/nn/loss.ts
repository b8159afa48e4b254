// Softmax cross-entropy over the active head's logits, in f64 (a handful of values per sample).

/**
 * Mean-free loss of a batch: returns the sum over samples of -log softmax(logits)[label] and writes each
 * sample's predicted class (the first largest logit). When dlogits != 0 it also writes the gradient of
 * scale * (mean loss): (softmax - onehot) * scale / batch.
 */
export function softmaxCrossEntropy(logits: usize, labels: usize, batch: i32, classes: i32, predictions: usize,
                                    dlogits: usize, scale: f32): f64 {
  let total: f64 = 0;
  const factor = <f64>scale / <f64>batch;
  for (let s = 0; s < batch; s++) {
    const row = logits + (<usize>(s * classes) << 2);
    const label = load<i32>(labels + (<usize>s << 2));
    let best = 0;
    let largest = <f64>load<f32>(row);
    for (let j = 1; j < classes; j++) {
      const v = <f64>load<f32>(row + (<usize>j << 2));
      if (v > largest) { largest = v; best = j; }
    }
    store<i32>(predictions + (<usize>s << 2), best);
    let sum: f64 = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(<f64>load<f32>(row + (<usize>j << 2)) - largest);
    const logSum = Math.log(sum);
    total += logSum - (<f64>load<f32>(row + (<usize>label << 2)) - largest);
    if (dlogits == 0) continue;
    const out = dlogits + (<usize>(s * classes) << 2);
    for (let j = 0; j < classes; j++) {
      const p = Math.exp(<f64>load<f32>(row + (<usize>j << 2)) - largest - logSum);
      store<f32>(out + (<usize>j << 2), <f32>((p - (j == label ? 1.0 : 0.0)) * factor));
    }
  }
  return total;
}
