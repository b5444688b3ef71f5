"""The ready-made races: lanes from the same data, initial weights and batch order."""

from __future__ import annotations

from playground.catalog import DEFAULT_LANES, OPTIMIZERS
from playground.lessons.lesson import OVERFIT, Lesson, whole

_ADAPTIVE = r" \\ ".join(OPTIMIZERS[n].latex.split(r" \\ ", 1)[1] for n in ("adagrad", "rmsprop"))

RACES = (
    Lesson("optimizers", "SGD vs momentum vs RMSprop vs Adam", whole(epochs=200),
           "Adaptive methods drop the loss fastest early; plain SGD lags but keeps descending.",
           DEFAULT_LANES,
           explanation="Four optimizers from the same initial weights and batches, each at a learning rate that "
                       "suits it. Momentum averages past gradients; RMSprop and Adam scale each weight's step by "
                       "its recent gradient size.",
           formula=OPTIMIZERS["adam"].latex,
           question="Which lanes will be ahead after 10 epochs, and will plain SGD ever stop improving?",
           answer="RMSprop and Adam are ahead at epochs 1, 5 and 10; SGD is last at epoch 50 but its loss keeps "
                  "falling, block after block of 50 epochs."),
    Lesson("batch-size", "Stochastic (1) vs mini-batch (32) vs full batch",
           whole(optimizer="sgd", lr=0.05, epochs=200),
           "Per epoch, batch size 1 takes n noisy steps and full batch one smooth step: after 5 epochs batch 1's "
           "validation loss is the lowest of the three and full batch's the highest. Per step the order flips: "
           "full batch's 200 steps reach a lower training loss than batch 1's first n = 210.",
           ({"batch_size": 1}, {"batch_size": 32}, {"batch_size": 0}),
           explanation="A step's gradient is the average over its batch. Full batch takes one exact step per "
                       "epoch; mini-batches of 32 take about n/32 noisier ones; batch size 1 takes n steps, the "
                       "noisiest and the most updates per epoch.",
           formula=r"g_t = \frac{1}{|B_t|} \sum_{i \in B_t} \nabla_\theta \ell(x_i, y_i; \theta_{t-1}),\quad"
                   r"\text{steps per epoch} = \lceil n / |B| \rceil",
           question="Each lane sees every point once per epoch. Which lane's curve is the smoothest, and which "
                    "makes the most steps?",
           answer="Batch size 1 takes n steps per epoch, gets furthest per epoch and zigzags; full batch takes one "
                  "smooth step per epoch (its losses never go up), and per step it gets furthest."),
    Lesson("learning-rate", "Learning rate: too small, about right, too large",
           whole(optimizer="sgd", epochs=200),
           "At lr 0.001 the training loss has fallen by less than a fifth after 200 epochs: too small. "
           "lr 0.3 passes 0.95 validation accuracy. At lr 10 the steps overshoot: the lane stops as 'stalled' at "
           "chance and is labelled so.",
           ({"lr": 0.001}, {"lr": 0.3}, {"lr": 10.0}),
           explanation="The learning rate scales every step. Too small, and the network crawls; too large, and each "
                       "step jumps past the valley floor, higher than where it started.",
           formula=r"\theta_t \leftarrow \theta_{t-1} - \eta\, g_t",
           question="The three lanes differ only in the step size. Which will learn the moons, and what happens to "
                    "the other two?",
           answer="lr 0.3 learns them (validation accuracy above 0.95). lr 0.001 has barely moved after 200 "
                  "epochs, and lr 10 overshoots until every unit is dead: it is stopped and marked stalled."),
    Lesson("adaptive", "Adaptive step sizes: Adagrad vs RMSprop vs Adam",
           whole(epochs=300, lr=0.01),
           "All three divide each weight's step by the size of its past gradients. Adagrad sums every squared "
           "gradient, so its steps only shrink: by epoch 300 its training loss is the highest of the three.",
           ({"optimizer": "adagrad"}, {"optimizer": "rmsprop"}, {"optimizer": "adam"}),
           explanation="Adagrad divides by the root of the sum of all past squared gradients; RMSprop by a "
                       "running average of recent ones, so its steps can grow again; Adam adds momentum and bias "
                       "correction to RMSprop's scaling.",
           formula=_ADAPTIVE,
           question="Adagrad's denominator only ever grows. What does that do to its progress late in the run?",
           answer="Its steps keep shrinking: by epoch 300 its training loss is the highest of the three lanes."),
    Lesson("regularization", "No regularization vs L2 vs dropout vs both", OVERFIT,
           "Watch the validation loss: by epoch 200 the unregularized lane's has climbed highest of the four, "
           "and both lanes with L2 sit under a third of it.",
           ({}, {"weight_decay": 0.01}, {"dropout": 0.3}, {"weight_decay": 0.01, "dropout": 0.3}),
           explanation="The overfitting setup four times: plain, with an L2 penalty on the weights, with dropout, "
                       "and with both.",
           formula=r"L(\theta) + \tfrac{\lambda}{2}\lVert\theta\rVert^2",
           question="Which lane will have the highest validation loss by epoch 200?",
           answer="The unregularized one; both lanes with L2 sit under a third of its validation loss."),
    Lesson("dropout", "Dropout: train-mode noise, eval-mode accuracy", OVERFIT.replace(epochs=300),
           "With dropout the chart's training loss (dropout on) sits above the same weights' eval-mode training "
           "loss in the metrics table, and at epoch 300 its generalization gap (validation minus train, both "
           "in eval mode) is smaller than the plain lane's.",
           ({"dropout": 0.0}, {"dropout": 0.5}),
           explanation="Dropout zeroes each hidden unit with probability p on every training step and scales the "
                       "rest by 1/(1-p); at evaluation every unit is kept. No unit can rely on another, which "
                       "makes memorising noise harder.",
           formula=r"h' = \frac{m \odot h}{1-p},\quad m_i \sim \mathrm{Bernoulli}(1-p)",
           question="The dropout lane's training curve is measured with dropout on. Will it sit above or below "
                    "the plain lane's, and whose validation loss ends closer to its training loss?",
           answer="Above: dropout handicaps training, and even its own eval-mode training loss is lower than the "
                  "curve. Its generalization gap at epoch 300 is smaller than the plain lane's."),
    Lesson("adam-vs-adamw", "Adam with L2 vs AdamW with the same decay", OVERFIT.replace(epochs=500),
           "The same λ = 0.01 means two things. Adam adds λθ to the gradient and its scaling turns that into "
           "steps of up to lr per weight: in the weight-norm panel every layer is pulled down to about the "
           "same small norm, and validation loss ends far below the other lanes'. AdamW shrinks each weight "
           "by lr·λ = 0.01% a step beside the gradient: its norms stay close to plain Adam's, and it overfits "
           "nearly as much.",
           ({"optimizer": "adam"}, {"optimizer": "adam", "weight_decay": 0.01},
            {"optimizer": "adamw", "weight_decay": 0.01}),
           explanation="Weight decay is coupled in Adam (λθ joins the gradient, then Adam rescales it) and "
                       "decoupled in AdamW (the weights shrink by ηλθ outside the adaptive step).",
           formula=OPTIMIZERS["adamw"].latex,
           question="Both lanes use λ = 0.01. Whose weight norms will shrink more: Adam's or AdamW's?",
           answer="Adam's: its scaling turns λθ into steps of up to lr per weight, so every layer's norm drops; "
                  "AdamW's shrink by only 0.01% a step and stay close to plain Adam's."),
    Lesson("batch-norm", "With vs without batch norm at a high learning rate",
           whole(optimizer="sgd", lr=4.0, hidden=(16, 16, 16), epochs=200),
           "At lr=4 the plain network's steps overshoot until every ReLU unit is dead: it stalls at chance "
           "within 60 epochs. Batch norm keeps each layer's activations in range and trains past 0.9 accuracy.",
           ({"batch_norm": False}, {"batch_norm": True}),
           explanation="Batch norm standardizes each hidden unit over the batch while training (and with running "
                       "averages at evaluation), so a large step cannot push the activations out of range.",
           formula=r"\hat h = \gamma\,\frac{h-\mu_B}{\sqrt{\sigma_B^2+\epsilon}} + \beta",
           question="Both lanes take steps of lr = 4. Which one survives?",
           answer="Only the batch-norm lane: it trains past 0.9 accuracy, while the plain one stalls at chance "
                  "within 60 epochs."),
)
