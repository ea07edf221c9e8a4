"""The answer tables of the course's exercises: notebook -> solution grade_id -> answers.

Each table holds, besides the notebook's own solution, other correct answers (``Right``: other
types the text allows, loops and vectorised versions, other Keras spellings, other orders) and
typical mistakes (``Wrong``, with the words the instructor test's message must contain).
"""

from tests.notebooks.answers import (
    cnn,
    deploy,
    evaluate,
    explore,
    improve,
    preprocess,
    train,
    visualize,
)

TABLES = {
    "01_explore": explore.ANSWERS,
    "02_preprocess": preprocess.ANSWERS,
    "03_cnn": cnn.ANSWERS,
    "04_train": train.ANSWERS,
    "05_evaluate": evaluate.ANSWERS,
    "06_improve": improve.ANSWERS,
    "07_visualize": visualize.ANSWERS,
    "08_deploy": deploy.ANSWERS,
}

# notebook -> first line of a long cell -> code that binds the names the exercises need from it
STAND_INS = {"08_deploy": deploy.STAND_INS}
