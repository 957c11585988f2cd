"""The multi-view exam encoder every risk model shares (Mirai's image encoder + aggregator, gen2a's fusion):

  each view -> backbone (shared weights) -> Dropout -> Linear(image_head) -> ReLU, + a learned embedding of its slot
  views -> mean | max | attention over the present views (view_mask)            ┐
  metadata -> Linear(hidden) -> ReLU -> Dropout -> Linear(hidden) -> ReLU        ┴ concat
  -> Linear(fusion) -> ReLU -> Dropout -> [B, fusion]
Attention is gated-free additive attention pooling (Ilse et al. 2018): a score per view from a small MLP,
softmax over the present views. A missing view's slot holds zeros and is masked out of every aggregation.
"""
import torch
import torch.nn as nn

from ..models import metadata_branch


class MultiViewEncoder(nn.Module):
    def __init__(self, backbone, feature_dim, views, metadata_dim, image_head, metadata_hidden, fusion, dropout,
                 aggregation):
        super().__init__()
        self.backbone = backbone
        self.aggregation = aggregation
        self.image_head = nn.Sequential(nn.Dropout(dropout), nn.Linear(feature_dim, image_head), nn.ReLU(inplace=True))
        self.view_embedding = nn.Parameter(torch.zeros(views, image_head))
        if aggregation == "attention":
            self.attention = nn.Sequential(nn.Linear(image_head, max(8, image_head // 2)), nn.Tanh(),
                                           nn.Linear(max(8, image_head // 2), 1))
        self.metadata_mlp = metadata_branch(metadata_dim, metadata_hidden, dropout)
        fused = image_head + (metadata_hidden if self.metadata_mlp is not None else 0)
        self.fusion = nn.Sequential(nn.Linear(fused, fusion), nn.ReLU(inplace=True), nn.Dropout(dropout))
        self.out_features = fusion

    def forward(self, images, view_mask, metadata=None):
        b, v = images.shape[0], images.shape[1]
        f = self.image_head(self.backbone(images.flatten(0, 1))).view(b, v, -1) + self.view_embedding
        present = view_mask.to(torch.bool).unsqueeze(-1)
        if self.aggregation == "mean":
            w = present.to(f.dtype)
            x = (f * w).sum(1) / w.sum(1).clamp_min(1.0)
        elif self.aggregation == "max":
            x = f.masked_fill(~present, torch.finfo(f.dtype).min).max(1).values
        else:
            a = self.attention(f).masked_fill(~present, torch.finfo(f.dtype).min)
            x = (torch.softmax(a, dim=1) * f).sum(1)
        if self.metadata_mlp is not None:
            x = torch.cat([x, self.metadata_mlp(metadata)], dim=1)
        return self.fusion(x)
