"""The single-run lessons."""

from __future__ import annotations

from playground.config import RunConfig
from playground.lessons.lesson import OVERFIT, Lesson, whole

_BCE = r"L = -\frac1n \sum_i \big[y_i \log \sigma(z_i) + (1-y_i)\log(1-\sigma(z_i))\big]"

RUNS = (
    Lesson("default", "Moons with Adam", RunConfig(),
           "The boundary bends around both moons within a few dozen epochs.",
           explanation="Two interleaving half circles cannot be split by a straight line. A network with two "
                       "hidden layers of 16 ReLU units bends its boundary around them, trained by Adam on "
                       "mini-batches of 32.",
           formula=_BCE,
           question="How many epochs does the network need to separate the moons better than any straight line?",
           answer="Within a few dozen epochs its validation accuracy passes 0.95, at least 5 points above a "
                  "logistic regression (a straight line) fitted to the same points.",
           controls=("lr",)),
    Lesson("seed-lab", "The seed lab: ten points",
           whole(dataset="seedlab", val_frac=0.0, hidden=(20,), activation="relu", dropout=0.5,
                 optimizer="adam", lr=0.01, weight_decay=0.01, batch_size=0, epochs=200),
           "Ten separable points: dropout 0.5 makes the training loss jagged (it rises from one epoch to the next "
           "about half the time), but its 20-epoch average falls more than tenfold and accuracy reaches 1.0.",
           explanation="The classic exercise: Linear(2, 20), ReLU, Dropout(0.5), Linear(20, 1), Adam at 0.01 with "
                       "weight decay 0.01, 200 full-batch epochs. The original lab made three mistakes: it put a "
                       "sigmoid before BCEWithLogitsLoss, which applies its own (predictions stuck between 0.5 "
                       "and 0.73); it fed the ten points as one flat tensor of 20 numbers, which Linear(2, 20) "
                       "cannot read as points; and it quoted an accuracy of 0.92, impossible on ten points, where "
                       "accuracy moves in steps of 0.1. Here the model outputs logits, x is a (10, 2) tensor, and "
                       "accuracy is measured in eval mode.",
           formula=_BCE + r",\quad \sigma(z) = \frac{1}{1+e^{-z}}",
           question="Dropout switches off half the hidden units at random on every step. Will the training loss "
                    "fall smoothly?",
           answer="No: it rises from one epoch to the next about half the time, yet its 20-epoch average falls "
                  "more than tenfold, and in eval mode (dropout off) all ten points are classified correctly.",
           controls=("dropout",)),
    Lesson("tf-playground", "TensorFlow Playground's default",
           whole(dataset="tfp_circle", n_points=500, noise=0.0, val_frac=0.5, hidden=(4, 2),
                 activation="tanh", init="tfp", optimizer="sgd", lr=0.03, batch_size=10, epochs=1000),
           "TF Playground's disc inside a ring, its raw inputs, initial weights and [4, 2] tanh network, plain "
           "SGD at 0.03 in batches of 10: within about 150 epochs the disc is separated (validation accuracy "
           "1.0, loss under 0.05).",
           explanation="The TensorFlow Playground's opening setup, reproduced: its circle data on raw coordinates, "
                       "its weight initialisation and a 4-2 tanh network trained by plain SGD.",
           formula=r"\theta_t \leftarrow \theta_{t-1} - \eta\, \nabla_\theta L_{B_t}(\theta_{t-1})",
           question="Six tanh units and plain SGD: can they draw a circle around the disc?",
           answer="Yes: within about 150 epochs validation accuracy is 1.0 and the loss is under 0.05.",
           controls=("lr",)),
    Lesson("overfit", "Overfitting: small noisy data, wide network", OVERFIT,
           "Train loss keeps falling while validation loss turns upward: the gap is overfitting.",
           explanation="Thirty noisy training points and a network of three layers of 64 units: it has far more "
                       "weights than points, so it can memorise the noise. Validation points, never trained on, "
                       "show what it has really learned.",
           formula=r"\text{gap} = L_\text{val}(\theta) - L_\text{train}(\theta)",
           question="The training loss will keep falling for 1500 epochs. What will the validation loss do?",
           answer="It bottoms out within the first 30 epochs and then climbs to more than 5 times that low, while "
                  "the training loss falls a hundredfold more: the network memorises the noise.",
           controls=("weight_decay", "dropout")),
    Lesson("diverge", "Too large a learning rate", whole(optimizer="sgd", lr=10.0, epochs=300),
           "The steps overshoot: in the first epoch the loss jumps past 3x its start, every ReLU unit dies, "
           "accuracy falls to chance (0.5) and 20 epochs later the run stops as 'stalled'. On a regression set "
           "such as sine the same rate sends the loss to infinity: 'diverged'.",
           explanation="Each step moves the weights by the learning rate times the gradient. Too large a step "
                       "jumps past the valley floor onto the far wall, higher than where it started.",
           formula=r"\theta_t \leftarrow \theta_{t-1} - \eta\, g_t,\quad \eta = 10",
           question="What happens to the loss when every step is 1000 times the default size?",
           answer="In the first epoch the loss jumps past 3 times its start, every ReLU unit dies, accuracy falls "
                  "to chance and the run stops as stalled.",
           controls=("lr",)),
    Lesson("stochastic", "Stochastic gradient descent (batch size 1)",
           whole(optimizer="sgd", lr=0.05, batch_size=1, epochs=200),
           "Each step sees one point: each epoch takes n steps, and the validation loss zigzags (it rises on a "
           "quarter of the epochs or more) where with batches of 32 it first falls smoothly.",
           explanation="Stochastic gradient descent estimates the gradient from a single point: cheap and "
                       "noisy. An epoch is n such steps.",
           formula=r"g_t = \nabla_\theta \ell(x_{i_t}, y_{i_t}; \theta_{t-1}),\quad i_t \text{ shuffled}",
           question="With one point per step, will the validation loss fall smoothly from epoch to epoch?",
           answer="No: it rises on a quarter of the epochs or more; with batches of 32 it first falls smoothly.",
           controls=("lr", "batch_size")),
    Lesson("early-stopping", "Early stopping: the best epoch, restored", OVERFIT.replace(patience=50),
           "Validation loss bottoms out within 30 epochs; 50 epochs without a new low later the run stops early, "
           "the chart marks the lowest validation loss and the stop, and the best epoch's weights are restored: "
           "the metrics table's validation loss is exactly the best one.",
           explanation="The overfitting setup with patience 50: training stops once the validation loss has not "
                       "made a new low for 50 epochs, and the weights roll back to the best epoch's.",
           formula=r"t^\ast = \arg\min_t L_\text{val}(\theta_t),\quad \text{stop at } t^\ast + \text{patience},"
                   r"\quad \theta \leftarrow \theta_{t^\ast}",
           question="Patience is 50 epochs. At which epoch will the run stop, and which weights will it keep?",
           answer="It stops 50 epochs after the lowest validation loss (which comes within 30 epochs) and keeps "
                  "that best epoch's weights: the table's validation column shows exactly the best loss.",
           controls=("patience", "restore_best")),
    Lesson("imbalance", "Metrics under class imbalance (9:1)",
           whole(dataset="imbalanced", n_points=600, noise=0.4, val_frac=0.5, hidden=(), optimizer="adam",
                 lr=0.01, epochs=200),
           "Nine points in ten are class 0: validation accuracy ends above 0.9, but the model misses more than "
           "half of class 1 (recall under 0.5) and class 1's F1 stays under 0.6.",
           explanation="When one class is rare, a model that mostly predicts the common class is right most of "
                       "the time. Recall asks how many of the rare class it finds; F1 combines that with "
                       "precision.",
           formula=r"\text{recall} = \frac{TP}{TP+FN},\quad \text{precision} = \frac{TP}{TP+FP},\quad"
                   r"F_1 = \frac{2PR}{P+R}",
           question="Always answering class 0 would be 90% accurate here. Will the model's recall of class 1 be "
                    "as good as its accuracy?",
           answer="No: accuracy ends above 0.9, but the model finds fewer than half of the class-1 points, and F1 "
                  "stays under 0.6 (see the Evaluation tab's confusion matrix).",
           controls=("lr",)),
)
