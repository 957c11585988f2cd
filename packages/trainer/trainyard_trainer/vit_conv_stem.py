"""The lung seed's ViT with a convolutional stem (model.backbone: vit_conv_stem), about 5M parameters.

  image [B, 3, H, W]
  -> stem: three 3x3 conv-BN-ReLU blocks, the first two with stride 2 (4x down in each dimension): 32, 64, 128 channels
  -> the [B, 128, H/4, W/4] map flattened into H/4 * W/4 tokens, each projected to `dim` (Linear)
  -> a CLS token in front, learnable position embeddings added, dropout
  -> `depth` pre-LayerNorm transformer layers: x + Attn(LN(x)), then x + MLP(LN(x)) (GELU, `mlp_dim`, dropout)
  -> LayerNorm of the CLS token = the backbone's features (`dim`); the Linear head is the model's (gen2a's heads,
     or a risk model's encoder head), as for every backbone here.

Parameters at the defaults (dim 192, depth 10, heads 3, mlp_dim 768) and 224 px: 5,202,880 (3137 position
embeddings of 192 are 602,304 of them, so the count depends on the image size: 4,650,688 at 64 px).
Stages for freezing: stem, embed (token projection, CLS token, position embeddings), encoder.layers.0 ..
encoder.layers.<depth-1>, norm. Gradient checkpointing (training.gradient_checkpointing) recomputes each
transformer layer in the backward pass instead of keeping its activations (there is no BatchNorm in a layer,
so recomputing it changes nothing).
"""
import torch
import torch.nn as nn
from torch.utils.checkpoint import checkpoint

STEM_CHANNELS = (32, 64, 128)
STEM_STRIDES = (2, 2, 1)
DOWNSAMPLING = 4


def stem_block(c_in, c_out, stride):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(c_out),
                         nn.ReLU(inplace=True))


class EncoderLayer(nn.Module):
    """Pre-LayerNorm transformer layer (as ViT): attention and MLP each behind a LayerNorm, each residual."""

    def __init__(self, dim, heads, mlp_dim, dropout):
        super().__init__()
        self.ln_1 = nn.LayerNorm(dim)
        self.attention = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(mlp_dim, dim),
                                 nn.Dropout(dropout))

    def forward(self, x):
        y = self.ln_1(x)
        y, _ = self.attention(y, y, y, need_weights=False)
        x = x + self.dropout(y)
        return x + self.mlp(self.ln_2(x))


class Encoder(nn.Module):
    def __init__(self, dim, depth, heads, mlp_dim, dropout):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(dim, heads, mlp_dim, dropout) for _ in range(depth))
        self.gradient_checkpointing = False

    def forward(self, x):
        for layer in self.layers:
            if self.gradient_checkpointing and self.training and x.requires_grad:
                x = checkpoint(layer, x, use_reentrant=False)
            else:
                x = layer(x)
        return x


class ConvStemViT(nn.Module):
    def __init__(self, image_size, dim=192, depth=10, heads=3, mlp_dim=768, dropout=0.1):
        super().__init__()
        if image_size % DOWNSAMPLING:
            raise ValueError(f"image size {image_size} is not divisible by {DOWNSAMPLING}")
        if dim % heads:
            raise ValueError(f"heads {heads} does not divide dim {dim}")
        blocks, c_in = [], 3
        for c_out, stride in zip(STEM_CHANNELS, STEM_STRIDES):
            blocks.append(stem_block(c_in, c_out, stride))
            c_in = c_out
        self.stem = nn.Sequential(*blocks)
        self.tokens = (image_size // DOWNSAMPLING) ** 2
        self.embed = nn.Linear(c_in, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.empty(1, self.tokens + 1, dim).normal_(std=0.02))
        self.dropout = nn.Dropout(dropout)
        self.encoder = Encoder(dim, depth, heads, mlp_dim, dropout)
        self.norm = nn.LayerNorm(dim)
        self.out_features = dim

    def forward(self, images):
        x = self.stem(images)
        if x.shape[2] * x.shape[3] != self.tokens:
            raise ValueError(f"vit_conv_stem was built for {self.tokens} tokens (dataset.image_size), "
                             f"got a {images.shape[2]}x{images.shape[3]} image")
        x = self.embed(x.flatten(2).transpose(1, 2))  # [B, tokens, dim]
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embedding
        x = self.encoder(self.dropout(x))
        return self.norm(x[:, 0])

    def stages(self):
        return {"stem": ["stem"], "embed": ["embed", "cls_token", "pos_embedding"],
                **{f"encoder.layers.{i}": [f"encoder.layers.{i}"] for i in range(len(self.encoder.layers))},
                "norm": ["norm"]}
