#!/usr/bin/python3
"""Make the embedded example that `npm start` runs (run with Debian's /usr/bin/python3).

Writes examples/data/blob-segmenter.onnx: a small hand-weighted segmentation network in
ZEN's layout (NHWC float32 in [0,1], dynamic batch, fixed 256x256 tile, softmax over 2
classes), exported like czmodel exports PyTorch models (permute -> net -> permute, opset 12):
  5x5 Gaussian smoothing -> per-image standardization -> logistic score -> softmax.
It marks bright blobs as class "Cell". And examples/data/cells.png: a 640x480 16-bit grey
image of noisy bright blobs, so prediction needs tiling (3x2 tiles of 256 with borders).

Deterministic (fixed seeds); no weights are trained or downloaded.
"""
import struct, zlib, pathlib
import numpy as np
import torch

OUT = pathlib.Path(__file__).resolve().parent.parent / "examples" / "data"
OUT.mkdir(parents=True, exist_ok=True)


class BlobSegmenter(torch.nn.Module):
    def __init__(self):
        super().__init__()
        x = torch.arange(5, dtype=torch.float32) - 2
        g = torch.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * 1.2 ** 2))
        self.smooth = torch.nn.Conv2d(1, 1, 5, padding=2, bias=False)
        self.smooth.weight.data[:] = (g / g.sum())[None, None]
        self.score = torch.nn.Conv2d(1, 2, 1)
        # logits: background = -2.5*z + 1.5, cell = 2.5*z - 1.5 (z = standardized intensity)
        self.score.weight.data[:] = torch.tensor([[-2.5], [2.5]])[:, :, None, None]
        self.score.bias.data[:] = torch.tensor([1.5, -1.5])

    def forward(self, x):  # x: N,H,W,C
        x = x.permute(0, 3, 1, 2)
        s = self.smooth(x)
        mean = s.mean(dim=(1, 2, 3), keepdim=True)
        std = ((s - mean) ** 2).mean(dim=(1, 2, 3), keepdim=True).sqrt()
        z = (s - mean) / torch.clamp(std, min=1.0 / 256.0)
        p = torch.softmax(self.score(z), dim=1)
        return p.permute(0, 2, 3, 1)


def write_png16(path, img):
    h, w = img.shape
    raw = b"".join(b"\x00" + img[y].astype(">u2").tobytes() for y in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    path.write_bytes(png)


def make_image():
    rng = np.random.default_rng(7)
    h, w = 480, 640
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.full((h, w), 1800.0)
    for _ in range(60):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        r = rng.uniform(7, 16)
        img += rng.uniform(5000, 14000) * np.exp(-(((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r)) ** 2)
    img += rng.normal(0, 600, size=img.shape)
    return np.clip(img, 0, 65535).astype(np.uint16)


def main():
    torch.manual_seed(0)
    model = BlobSegmenter().eval()
    dummy = torch.rand(1, 256, 256, 1)
    torch.onnx.export(
        model, dummy, str(OUT / "blob-segmenter.onnx"), opset_version=12,
        input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "batch_size"}, "output": {0: "batch_size"}},
    )
    write_png16(OUT / "cells.png", make_image())
    print("wrote", OUT / "blob-segmenter.onnx", OUT / "cells.png")


if __name__ == "__main__":
    main()
