#!/usr/bin/env python3
"""ONNX files built with onnx.helper for Lathe's import tests (tests/onnx/), no PyTorch:

  helper_models.py handmade OUT_DIR  handmade.onnx, of the operators PyTorch's CNN exports
                                     rarely emit, and data.h5 (compared with ONNX Runtime)
  helper_models.py bad OUT_DIR       small ONNX files Lathe must refuse
  helper_models.py random OUT_DIR    random.h5 (100 float32 1 x 8 x 8 images in [0, 1), labels
                                     0-3) and the same images as random.f32 for run_onnx.js

Run it with Debian's /usr/bin/python3 (python3-onnx, python3-h5py).
"""
import gzip
import os
import sys

import h5py
import numpy as np

IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
LABELS = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"
COUNT = 200


def read_idx(path, header):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=header)


def write_images(out_dir):
    images = read_idx(IMAGES, 16).reshape(-1, 1, 28, 28)[:COUNT].copy()
    labels = read_idx(LABELS, 8)[:COUNT].astype(np.int64)
    with h5py.File(os.path.join(out_dir, "data.h5"), "w") as f:
        f["X"] = images
        f["y"] = labels
    return images, labels


def write_handmade_model(out_dir):
    """Identity, a VALID Conv, a padded MaxPool, Dropout with its ratio as an input,
    GlobalAveragePool, Flatten, a 1-d BatchNormalization, MatMul + Add, and a Reshape to
    [0, -1] from a Constant: compared with ONNX Runtime, not PyTorch, by the test."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    write_images(out_dir)
    rng = np.random.default_rng(5)

    def constant(name, array):
        return numpy_helper.from_array(np.asarray(array), name)

    initializers = [
        constant("conv.weight", rng.normal(0, 0.3, (6, 1, 5, 5)).astype(np.float32)),
        constant("conv.bias", rng.normal(0, 0.1, 6).astype(np.float32)),
        constant("ratio", np.array(0.25, np.float32)),
        constant("bn.weight", rng.uniform(0.5, 1.5, 6).astype(np.float32)),
        constant("bn.bias", rng.normal(0, 0.1, 6).astype(np.float32)),
        constant("bn.mean", rng.normal(0, 0.1, 6).astype(np.float32)),
        constant("bn.var", rng.uniform(0.5, 1.5, 6).astype(np.float32)),
        constant("head.w", rng.normal(0, 0.5, (6, 10)).astype(np.float32)),
        constant("head.b", rng.normal(0, 0.1, 10).astype(np.float32)),
    ]
    nodes = [
        helper.make_node("Identity", ["images"], ["same"], name="/Identity"),
        helper.make_node("Conv", ["same", "conv.weight", "conv.bias"], ["c"], name="/conv/Conv", auto_pad="VALID"),
        helper.make_node("Relu", ["c"], ["r"], name="/relu/Relu"),
        helper.make_node("MaxPool", ["r"], ["p"], name="/pool/MaxPool", kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Dropout", ["p", "ratio"], ["d"], name="/drop/Dropout"),
        helper.make_node("GlobalAveragePool", ["d"], ["g"], name="/gap/GlobalAveragePool"),
        helper.make_node("Constant", [], ["target"], name="/Constant",
                         value=numpy_helper.from_array(np.array([0, -1], np.int64))),
        helper.make_node("Reshape", ["g", "target"], ["f"], name="/flat/Reshape"),
        helper.make_node("BatchNormalization", ["f", "bn.weight", "bn.bias", "bn.mean", "bn.var"], ["b"],
                         name="/bn/BatchNormalization", epsilon=1e-3),
        helper.make_node("MatMul", ["b", "head.w"], ["m"], name="/head/MatMul"),
        helper.make_node("Add", ["m", "head.b"], ["logits"], name="/head/Add"),
    ]
    graph = helper.make_graph(
        nodes, "handmade", [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(out_dir, "handmade.onnx"))


def write_bad_models(out_dir):
    import onnx
    from onnx import TensorProto, helper

    def save(name, nodes, initializers):
        graph = helper.make_graph(
            nodes, "bad", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 8, 8])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        onnx.save(model, os.path.join(out_dir, name + ".onnx"))

    weight = helper.make_tensor("conv.weight", TensorProto.FLOAT, [2, 1, 3, 3], [0.1] * 18)
    save("unsupported_op", [helper.make_node("Sigmoid", ["x"], ["s"], name="gate"),
                            helper.make_node("Flatten", ["s"], ["y"], name="flat")], [])
    target = helper.make_tensor("target", TensorProto.INT64, [3], [-1, 4, 16])
    save("reshape_not_flat", [helper.make_node("Reshape", ["x", "target"], ["y"], name="unflatten")], [target])
    save("bad_attribute", [helper.make_node("Conv", ["x", "conv.weight"], ["c"], name="dilated_conv",
                                            dilations=[2, 2]),
                           helper.make_node("Flatten", ["c"], ["y"], name="flat")], [weight])


def write_random_images(out_dir):
    rng = np.random.default_rng(1)
    images = rng.random((100, 1, 8, 8), dtype=np.float32)
    with h5py.File(os.path.join(out_dir, "random.h5"), "w") as f:
        f["X"] = images
        f["y"] = rng.integers(0, 4, 100)
    images.tofile(os.path.join(out_dir, "random.f32"))


def main():
    writers = {"handmade": write_handmade_model, "bad": write_bad_models, "random": write_random_images}
    if len(sys.argv) != 3 or sys.argv[1] not in writers:
        sys.exit(__doc__)
    writers[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    main()
