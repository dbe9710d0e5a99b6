// ONNX Runtime's side of Lathe's export tests (tests/onnx/onnx_export_test.cpp): runs an
// exported model on every image and writes its predictions and logits.
//   [ORT_OPTIMIZATION=disabled|all] node run_onnx.js MODEL.onnx IMAGES.f32 N C H W OUT.csv
// IMAGES.f32: N x C x H x W float32 (little-endian), the images as Lathe reads them
// (8-bit pixels / 255); the exported graph normalises them itself. The folder holding
// node_modules/onnxruntime-node is given by NODE_PATH.
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [modelPath, imagesPath, n, c, h, w, outPath] = process.argv.slice(2);
  const [count, channels, height, width] = [n, c, h, w].map(Number);
  const bytes = fs.readFileSync(imagesPath);
  const item = channels * height * width;
  if (bytes.length !== count * item * 4) {
    throw new Error(`${imagesPath}: expected ${count * item * 4} bytes, found ${bytes.length}`);
  }
  const images = new Float32Array(bytes.buffer, bytes.byteOffset, count * item);
  const session = await ort.InferenceSession.create(modelPath, {graphOptimizationLevel: process.env.ORT_OPTIMIZATION || 'all'});
  const lines = [];
  const batch = 50;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const input = new ort.Tensor('float32', images.slice(start * item, (start + size) * item),
                                 [size, channels, height, width]);
    const result = await session.run({[session.inputNames[0]]: input});
    const logits = result[session.outputNames[0]];
    const classes = logits.dims[1];
    for (let i = 0; i < size; ++i) {
      const row = Array.from(logits.data.slice(i * classes, (i + 1) * classes));
      const prediction = row.indexOf(Math.max(...row));
      lines.push([prediction, ...row.map((v) => v.toPrecision(9))].join(','));
    }
  }
  const header = 'prediction,' + Array.from({length: lines.length ? lines[0].split(',').length - 1 : 0},
                                            (_, k) => 'logit' + k).join(',');
  fs.writeFileSync(outPath, header + '\n' + lines.join('\n') + '\n');
}

main().catch((error) => {
  console.error('run_onnx.js: ' + error.message);
  process.exit(1);
});
