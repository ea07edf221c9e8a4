"""The course's figures: one function per figure, so that a notebook cell draws one with one call.

Every function returns the matplotlib Figure and, given ``save_to``, also writes it as a PNG
(creating the folders). Figures are closed in pyplot before they are returned: in a notebook a
figure shows once, when it is the cell's last value; scripts and tests keep no open figures.

One module per part of the course; all their functions are available here as ``plots.plot_...``:

- :mod:`~helpers.plots.exploration` (notebooks 01, 02): digits, class balance, pixels, ink geometry
- :mod:`~helpers.plots.network` (03): activation functions, the layer stack
- :mod:`~helpers.plots.training` (04, 06): learning curves
- :mod:`~helpers.plots.evaluation` (05): confusion matrix, mistakes, per-class scores, reliability
- :mod:`~helpers.plots.improvement` (06): augmentation, ablation, architecture comparison
- :mod:`~helpers.plots.interpretation` (07): filters, feature maps, saliency, Grad-CAM,
  embedding, robustness
- :mod:`~helpers.plots.deployment` (08): exported models, preparing a drawn digit, centring
"""

from helpers.plots.deployment import (
    plot_centring_effect,
    plot_export_comparison,
    plot_preparation_steps,
)
from helpers.plots.evaluation import (
    plot_confusion_matrix,
    plot_misclassified,
    plot_per_class_scores,
    plot_reliability_diagram,
)
from helpers.plots.exploration import (
    plot_class_balance,
    plot_digit_grid,
    plot_ink_geometry,
    plot_pixel_histogram,
)
from helpers.plots.improvement import plot_ablation, plot_augmented, plot_comparison
from helpers.plots.interpretation import (
    plot_embedding,
    plot_feature_maps,
    plot_filters,
    plot_grad_cam,
    plot_prediction_sweep,
    plot_robustness,
    plot_saliency_maps,
)
from helpers.plots.network import plot_activations, plot_layer_stack
from helpers.plots.training import plot_learning_curves

__all__ = [
    "plot_ablation",
    "plot_activations",
    "plot_augmented",
    "plot_centring_effect",
    "plot_class_balance",
    "plot_comparison",
    "plot_confusion_matrix",
    "plot_digit_grid",
    "plot_embedding",
    "plot_export_comparison",
    "plot_feature_maps",
    "plot_filters",
    "plot_grad_cam",
    "plot_ink_geometry",
    "plot_layer_stack",
    "plot_learning_curves",
    "plot_misclassified",
    "plot_per_class_scores",
    "plot_pixel_histogram",
    "plot_prediction_sweep",
    "plot_preparation_steps",
    "plot_reliability_diagram",
    "plot_robustness",
    "plot_saliency_maps",
]
