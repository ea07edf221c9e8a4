"""The course code: what the notebooks import and what students receive.

Importing ``helpers`` imports none of its modules and sets one variable, TensorFlow's oneDNN
switch (see :data:`ONEDNN_ENV_VAR`); each module imports what it needs (TensorFlow only where
a model is built, trained or run). The map, module -> what it holds -> the notebooks whose
cells import it.

What the course teaches (read these beside the notebooks):

================  ===============================================  ==========================
module            what it holds                                    imported by notebooks
================  ===============================================  ==========================
preprocessing     the data as the models take it (scaled, one-    02-08
                  hot), the stratified split
exploration       array summaries, samples of each class           01
geometry          ink box and centre of mass of a digit            01 (08 through deploy)
models            notebook 06's models: improved CNN, ResNet-10,   06
                  Keras MLP, the Keras example, ensemble
batch_norm        batch normalisation with TensorFlow's fused      none (06 through models)
                  kernel
architecture      a model's layers, parameters and cost (MACs)     03, 06
training          fit keeping the best epoch, the schedule, what   04, 05, 06
                  training and prediction cost on this machine,
                  saved histories
recipes           notebook 06's training recipes, seeds,           06
                  ablation
evaluation        accuracy, per-class scores, mistakes,            05, 06
                  calibration; a final model's record
model_comparison  comparison table, ablation summary, seed         06
                  spread, paired tests, ensembles
numpy_mlp         an MLP written from scratch in NumPy, its SGD    06
                  step, gradient check and record
interpretation    filters, where to read feature maps, Grad-CAM,   06, 07
                  robustness
deploy/           TensorFlow Lite export, LiteRT classifier,       08
                  drawn digits, predict command, drawing app
================  ===============================================  ==========================

Plumbing (settings, files, figures, formatting: nothing here is taught):

================  ===============================================  ==========================
module            what it holds                                    imported by notebooks
================  ===============================================  ==========================
settings          profiles (full, quick), seed, output folders     01-08
data              MNIST's IDX files, checksums; image shape and    01, 02 (the others load
                  number of classes                                through preprocessing)
outputs           where models, metrics and figures live, who      01-08
                  makes each; metrics.json
formatting        numbers as text: percentages, sizes, durations,  08 (and the report, README
                  Markdown tables                                  table and slides)
display           ``show_source``: a helper's code, with its file  02, 06, 07, 08
                  and lines
plots/            one function per figure, a module per part of    01-08
                  the course
cores             the CPU cores this process may run on (LiteRT's  none (08 through deploy)
                  threads; grading shares them out)
================  ===============================================  ==========================

The exercises' answers are not here: each lives in its notebook's solution cell, and where a
later step needs one, the notebook passes the student's own function on. The tooling around
the course (the report, the benchmark, the student edition, grading) is in ``course_tools``,
which no notebook imports.
"""

import os

# TensorFlow's oneDNN CPU kernels are faster than its generic ones (docs/timings.md measures by
# how much). On Linux, TensorFlow turns them on by itself only on CPUs with AVX-512 VNNI or BF16,
# AVX-VNNI or AMX, so not on AMD before Zen 4 nor on many Intel laptops. Importing helpers turns
# them on everywhere, unless the variable is already set (``0`` keeps them off). TensorFlow reads
# it when it is first imported; the Makefile exports it too, for the notebooks that import Keras
# before helpers.
ONEDNN_ENV_VAR = "TF_ENABLE_ONEDNN_OPTS"
os.environ.setdefault(ONEDNN_ENV_VAR, "1")
