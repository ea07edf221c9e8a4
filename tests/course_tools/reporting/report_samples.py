"""A synthetic run for the report tests: metrics shaped like the schema, tiny PNG figures."""

from __future__ import annotations

import copy
import json

from helpers.settings import Profile

FIGURES = (
    "01_samples_per_class.png", "01_ink_geometry.png", "02_split_class_shares.png",
    "04_learning_curves.png", "05_confusion_matrix.png", "05_confusion_matrix_normalised.png",
    "05_misclassified.png", "06_augmentation.png", "06_ablation.png",
    "06_improved_learning_curves.png", "06_comparison.png", "07_filters.png",
    "07_feature_maps.png", "07_saliency.png", "07_grad_cam.png", "07_embedding.png",
    "07_rotation_shift.png", "08_drawn_digit_steps.png", "08_export.png", "08_centring.png",
)
# The smallest valid PNG: one transparent pixel.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _model(accuracy, errors, params, macs, epochs, best, seconds, size):
    return {
        "test_accuracy": accuracy, "test_loss": round(1.5 * (1 - accuracy), 6),
        "test_errors": errors, "params": params, "macs_per_image": macs, "epochs": epochs,
        "best_epoch": best, "train_seconds": seconds,
        "seconds_per_epoch": round(seconds / epochs, 2), "model_file_bytes": size,
    }


QUICK_METRICS = {
    "profile": "quick",
    "data": {
        "train_images": 60000, "test_images": 10000, "train_split": 3000,
        "validation_split": 6000, "test_split": 10000,
        "pixel_mean": 0.130661, "pixel_std": 0.308108,
        "class_share_min": 0.090350, "class_share_max": 0.112367, "ink_box_20px_share": 0.998717,
    },
    "baseline_cnn": _model(0.9009, 991, 93322, 2794240, 2, 2, 3.2, 1165367),
    "numpy_mlp": _model(0.8712, 1288, 101770, 101632, 2, 2, 0.8, 408466),
    "keras_mlp": _model(0.8843, 1157, 101770, 101632, 2, 1, 1.1, 1248311),
    "improved_cnn": _model(0.9214, 786, 112458, 3412480, 2, 2, 6.4, 1402283),
    "resnet10": _model(0.8876, 1124, 1228394, 42310144, 2, 2, 31.7, 14930617),
    "improved_cnn_seeds": {
        "seeds": [42, 43], "chosen_seed": 42, "validation_accuracy": [0.9251, 0.9198],
        "test_accuracy": [0.9214, 0.9170], "test_errors": [786, 830], "test_mean": 0.9192,
        "test_std": 0.003111, "test_min": 0.917, "test_max": 0.9214,
    },
    "ensemble": {**_model(0.9301, 699, 224916, 6824960, 2, 2, 12.8, 2804566),
                 "members": [42, 43], "validation_accuracy": 0.9322},
    "significance": {"comparisons": [
        {"a": "improved CNN", "b": "baseline CNN", "accuracy_a": 0.9214, "accuracy_b": 0.9009,
         "a_only": 412, "b_only": 207, "p_value": 0.0, "difference_interval_95": [0.016, 0.025]},
        {"a": "seed 43", "b": "seed 42", "accuracy_a": 0.917, "accuracy_b": 0.9214,
         "a_only": 150, "b_only": 194, "p_value": 0.020301,
         "difference_interval_95": [-0.0081, -0.0007]},
    ]},
    "best_model": {"name": "ensemble", "file": "models/best_cnn.keras",
                   "validation_accuracy": 0.9322},
    "ablation": {"images": 300, "epochs": 1, "seeds": [42, 43], "variants": {
        "all": [0.9251, 0.9210],
        "no_augmentation": [0.9318, 0.9290],
        "no_batch_norm": [0.8817, 0.8790],
        "no_dropout": [0.9233, 0.9241],
        "constant_learning_rate": [0.9196, 0.9188],
    }},
    "visualize": {
        "rotation": {"degrees": [-45, -30, -15, 0, 15, 30, 45],
                     "accuracy": [0.4182, 0.6947, 0.8733, 0.9214, 0.8805, 0.7016, 0.4355]},
        "shift": {"pixels": [-6, -4, -2, 0, 2, 4, 6],
                  "accuracy": [0.2271, 0.5518, 0.8659, 0.9214, 0.8702, 0.5633, 0.2309]},
        "embedding": {"method": "t-SNE", "points": 2000, "misclassified": 157},
    },
    "export": {
        "keras_test_accuracy": {"best_cnn": 0.9214, "baseline_cnn": 0.9009},
        "variants": [
            {"model": model, "mode": mode, "file": f"models/{model}_{mode}.tflite",
             "bytes": size, "test_accuracy": accuracy, "latency_ms": latency}
            for model, mode, size, accuracy, latency in (
                ("best_cnn", "float32", 452116, 0.9214, 0.412),
                ("best_cnn", "dynamic_range", 121840, 0.9213, 0.388),
                ("best_cnn", "int8", 124992, 0.9205, 0.231),
                ("baseline_cnn", "float32", 375432, 0.9009, 0.355),
                ("baseline_cnn", "dynamic_range", 98336, 0.9010, 0.341),
                ("baseline_cnn", "int8", 101480, 0.8998, 0.197),
            )
        ],
    },
    "centring": {"test_accuracy_original": 0.9214, "test_accuracy_distorted": 0.4127,
                 "test_accuracy_distorted_centred": 0.8961},
}


def synthetic_metrics(profile_name: str = "quick") -> dict:
    """A deep copy of the sample metrics, labelled with ``profile_name``."""
    metrics = copy.deepcopy(QUICK_METRICS)
    metrics["profile"] = profile_name
    return metrics


def write_run(tmp_path, profile_name: str = "quick", metrics: dict | None = None) -> Profile:
    """A profile whose output_root is ``tmp_path``, with a metrics file and every figure."""
    profile = Profile(profile_name, 3000, {}, output_root=tmp_path)
    profile.figures_dir.mkdir(parents=True, exist_ok=True)
    for name in FIGURES:
        (profile.figures_dir / name).write_bytes(TINY_PNG)
    metrics = synthetic_metrics(profile_name) if metrics is None else metrics
    profile.metrics_path.write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    return profile
