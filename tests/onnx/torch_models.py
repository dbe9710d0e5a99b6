#!/usr/bin/env python3
"""PyTorch's side of Lathe's ONNX import tests (tests/onnx/onnx_import_test.cpp).

  torch_models.py MODEL OUT_DIR   MODEL: lenet5, vgg_small, resnet8 or mixed

For MODEL it builds the network in PyTorch with its own random weights (seeded), exports
it with torch.onnx.export, and writes in OUT_DIR:
  MODEL.onnx              the exported graph
  data.h5                 the first 200 Fashion-MNIST test images (uint8 X, int64 y)
  MODEL_torch_logits.csv  PyTorch's prediction and logits for every image, computed with
                          the model's own preprocessing from the raw uint8 pixels
  MODEL_import_args.txt   that preprocessing as `lathe import` options
Run it with Debian's /usr/bin/python3 (python3-torch, python3-onnx, python3-h5py).
"""
import os
import sys

import numpy as np
import torch
from torch import nn

from helper_models import write_images


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = x.view(x.size(0), -1)  # exports as Shape -> Gather -> Unsqueeze -> Concat -> Reshape
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


def conv_bn_relu(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]


class VggSmall(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(*conv_bn_relu(1, 32), *conv_bn_relu(32, 32), nn.MaxPool2d(2),
                                      *conv_bn_relu(32, 64), *conv_bn_relu(64, 64), nn.MaxPool2d(2),
                                      *conv_bn_relu(64, 128))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.3)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc(self.dropout(torch.flatten(self.pool(self.features(x)), 1)))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + (x if self.proj is None else self.proj(x)))


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.s1a = Block(16, 16, 1)
        self.s2a = Block(16, 32, 2)
        self.s2b = Block(32, 32, 1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.s2b(self.s2a(self.s1a(self.stem(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class Mixed(nn.Module):
    """The other operators PyTorch emits for CNNs: a padded average pool (count_include_pad),
    a strided unpadded convolution, reshape(-1, F) (a constant Reshape target), and a
    matrix product plus bias written out (MatMul + Add instead of Gemm)."""

    def __init__(self):
        super().__init__()
        self.pool = nn.AvgPool2d(3, stride=2, padding=1)
        self.conv = nn.Conv2d(1, 8, 3, stride=2)
        self.hidden_weight = nn.Parameter(torch.randn(8 * 6 * 6, 32) * 0.05)
        self.hidden_bias = nn.Parameter(torch.randn(32) * 0.1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.conv(self.pool(x)))
        x = x.reshape(-1, 8 * 6 * 6)
        x = torch.relu(torch.matmul(x, self.hidden_weight) + self.hidden_bias)
        return self.fc(x)


# Each model's own preprocessing: x = (raw * scale - mean) / std. resnet8 takes raw pixels
# (scale 1), as some pipelines do; the others torchvision's ToTensor + Normalize.
MODELS = {
    "lenet5": (LeNet5, 1.0 / 255.0, 0.2860, 0.3530, "1/255"),
    "vgg_small": (VggSmall, 1.0 / 255.0, 0.5, 0.5, "1/255"),
    "resnet8": (ResNet8, 1.0, 72.94, 90.02, "1"),
    "mixed": (Mixed, 2.0 / 255.0, 1.0, 0.5, "2/255"),
}


def randomize_batchnorm(model, generator):
    # Fresh BatchNorm layers are the identity; random statistics make them count.
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            c = module.num_features
            module.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
            module.running_var.copy_(torch.rand(c, generator=generator) + 0.5)
            module.weight.data.copy_(torch.rand(c, generator=generator) + 0.5)
            module.bias.data.copy_(torch.randn(c, generator=generator) * 0.1)


def export_model(name, out_dir):
    cls, scale, mean, std, scale_text = MODELS[name]
    torch.manual_seed(7)
    model = cls()
    with torch.no_grad():
        randomize_batchnorm(model, torch.Generator().manual_seed(11))
    model.eval()
    images, _ = write_images(out_dir)
    x = (torch.from_numpy(images).float() * scale - mean) / std
    with torch.no_grad():
        logits = model(x).numpy()
    # resnet8 keeps its BatchNormalization nodes (PRESERVE in eval mode); the default
    # (EVAL) folds them into the convolutions, as vgg_small's export shows.
    training = torch.onnx.TrainingMode.PRESERVE if name == "resnet8" else torch.onnx.TrainingMode.EVAL
    torch.onnx.export(model, x[:1], os.path.join(out_dir, name + ".onnx"), input_names=["images"],
                      output_names=["logits"], dynamic_axes={"images": {0: "N"}, "logits": {0: "N"}},
                      training=training)
    with open(os.path.join(out_dir, name + "_torch_logits.csv"), "w") as f:
        f.write("prediction," + ",".join("logit%d" % c for c in range(logits.shape[1])) + "\n")
        for row in logits:
            f.write("%d,%s\n" % (int(row.argmax()), ",".join("%.9g" % v for v in row)))
    with open(os.path.join(out_dir, name + "_import_args.txt"), "w") as f:
        f.write("--scale %s --mean %r --std %r\n" % (scale_text, mean, std))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODELS:
        sys.exit(__doc__)
    export_model(sys.argv[1], sys.argv[2])


if __name__ == "__main__":
    main()
