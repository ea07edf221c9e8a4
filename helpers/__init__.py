"""The course code: what the notebooks import and what students receive.

Importing ``helpers`` imports none of its modules (only ``os``, to set one variable: see the
end); each module imports what it needs (TensorFlow only where a model is built, trained or
run). The map, module -> what it holds -> notebooks:

============================  ===============================================  =============
module                        what it holds                                    notebooks
============================  ===============================================  =============
settings                      profiles (full, quick), seed, output folders     all
data                          MNIST's IDX files, checksums; image shape and    01, all
                              number of classes
preprocessing                 scaling, one-hot, the stratified split           02, all after
exploration                   class counts, mean images, array summaries       01
geometry                      ink box and centre of mass of a digit            01, 08
models                        the model builders: baseline CNN, improved CNN,  03, 04, 06
                              ResNet-10, MLP, augmentation
batch_norm                    batch normalisation with TensorFlow's fused      06
                              kernel
architecture                  a model's layers, parameters and cost (MACs)     03, 06
training                      fit with early stopping and checkpoints, the     04, 06
                              schedule, what training costs on this machine
recipes                       notebook 06's training recipes, seeds,           06
                              ablation
evaluation                    accuracy, confusion matrix, per-class scores,    05, 06
                              mistakes, calibration; a final model's record
model_comparison              comparison table, ablation summary, seed         06
                              spread, paired tests, ensembles
numpy_mlp                     an MLP written from scratch in NumPy, gradient   06
                              check
interpretation                filters, feature maps, saliency, Grad-CAM,       07
                              robustness
outputs                       where models, metrics and figures live, who      04-08
                              makes each; metrics.json
formatting                    numbers as text: percentages, sizes, durations   06, 08
display                       ``show_source``: show a helper's code            02, 06-08
plots/                        one function per figure, a module per part       all
deploy/                       TensorFlow Lite export, LiteRT classifier,       08
                              drawn digits, predict command, drawing app
============================  ===============================================  =============

The tooling around the course (the report, the benchmark, the student edition, grading) is
in ``course_tools``, which no notebook imports.

Importing ``helpers`` before TensorFlow switches on TensorFlow's oneDNN kernels, unless
``TF_ENABLE_ONEDNN_OPTS`` is already set (``0`` keeps them off): see :data:`ONEDNN_ENV_VAR`.
"""

import os

# On Linux, TensorFlow turns its oneDNN CPU kernels on by default only on CPUs with AVX-512
# VNNI or BF16, AVX-VNNI or AMX; on the others (AMD before Zen 4, many Intel laptops) it runs
# slower generic kernels. Measured on this course's 2-core AMD EPYC (Zen 2) machine: with oneDNN
# on, the improved CNN trains in about 0.6 of the time and ResNet-10 in 0.5. TensorFlow reads the
# variable when it is first imported; the Makefile exports it too, for the notebooks that import
# Keras before helpers.
ONEDNN_ENV_VAR = "TF_ENABLE_ONEDNN_OPTS"
os.environ.setdefault(ONEDNN_ENV_VAR, "1")
