#!/usr/bin/env python3
"""An independent fp32 reference for edgecl's Split MNIST results (docs/reference.md).

Trains the reduced protocol of docs/results.md with PyTorch on the samples `edgecl export` writes, one
strategy at a time, from the published definition of each strategy (sources next to each class), and
writes the accuracy matrix and the average accuracy as JSON.

    /usr/bin/python3 experiments/reference/split_mnist.py --stream DIR --strategy NAME --seed N --out FILE.json
"""

import argparse
import copy
import json
import math
import os
import sys

# One BLAS thread per run (read when the library loads): runs go side by side, one per core.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# EWC lambda and SI c per scenario (Split MNIST), as docs/strategies.md: from the code of van de Ven &
# Tolias (GMvandeVen/continual-learning, params/param_values.py).
EWC_LAMBDA = {"task": 1e5, "domain": 1e10, "class": 1e9}
SI_C = {"task": 10.0, "domain": 5e4, "class": 5e3}
ONLINE_EWC_GAMMA = 1.0
FISHER_SAMPLES = 500
SI_XI = 0.1
LWF_ALPHA = 1.0
LWF_TEMPERATURE = 2.0
# The device's replay budget counts stored values: 256 KiB of fp32 values is 83 digits of 784 values.
REPLAY_BUFFER_BYTES = 262144
STREAM_FORMAT = "edgecl-stream-1"


class UsageError(Exception):
    pass


def expected(what, received):
    return UsageError(f"expected {what}, received {json.dumps(received) if isinstance(received, str) else received}")


# ---------------------------------------------------------------------------------------------- data


def load_stream(folder):
    """The experiences of a stream written by `edgecl export` (host/cli/commands/export.ts)."""
    path = os.path.join(folder, "stream.json")
    if not os.path.isfile(path):
        raise expected("a folder written by `edgecl export` (with stream.json)", folder)
    with open(path, encoding="utf-8") as f:
        stream = json.load(f)
    if stream.get("format") != STREAM_FORMAT:
        raise expected(f'stream.json of format "{STREAM_FORMAT}"', stream.get("format"))
    features = stream["features"]

    def read(part):
        inputs = np.fromfile(os.path.join(folder, part["inputs"]), dtype="<f4")
        labels = np.fromfile(os.path.join(folder, part["labels"]), dtype=np.uint8)
        if inputs.size != part["count"] * features or labels.size != part["count"]:
            raise expected(f"{part['count']} samples of {features} values in {part['inputs']}", f"{inputs.size} values")
        return torch.from_numpy(inputs.reshape(part["count"], features).copy()), torch.from_numpy(labels.astype(np.int64))

    experiences = []
    for meta in stream["experiences"]:
        train_x, train_y = read(meta["train"])
        test_x, test_y = read(meta["test"])
        experiences.append({"id": meta["id"], "head": meta["head"], "train": (train_x, train_y), "test": (test_x, test_y)})
    return stream, experiences


class IndexStream:
    """Batches of indices of a training set, reshuffled at every epoch (a batch may span two epochs)."""

    def __init__(self, count, generator):
        self.count, self.generator = count, generator
        self.order, self.position = torch.randperm(count, generator=generator), 0

    def next(self, n):
        taken = []
        while n > 0:
            if self.position == self.count:
                self.order, self.position = torch.randperm(self.count, generator=self.generator), 0
            k = min(n, self.count - self.position)
            taken.append(self.order[self.position : self.position + k])
            self.position += k
            n -= k
        return torch.cat(taken)


# --------------------------------------------------------------------------------------------- model


def init_linear(linear, generator):
    """Kaiming uniform in fan-in mode with the ReLU gain (He et al. 2015): U(-sqrt(6/fanIn), sqrt(6/fanIn)), biases 0."""
    bound = math.sqrt(6.0 / linear.in_features)
    with torch.no_grad():
        linear.weight.copy_((torch.rand(linear.weight.shape, generator=generator) * 2 - 1) * bound)
        linear.bias.zero_()


class MultiHeadMLP(torch.nn.Module):
    """Linear + ReLU per hidden width, then one output Linear per head (a single head outside the task scenario)."""

    def __init__(self, features, hidden, heads, generator):
        super().__init__()
        layers, width = [], features
        for h in hidden:
            layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
            width = h
        self.body = torch.nn.Sequential(*layers)
        self.heads = torch.nn.ModuleList(torch.nn.Linear(width, size) for size in heads)
        for module in [*self.body, *self.heads]:
            if isinstance(module, torch.nn.Linear):
                init_linear(module, generator)
        # Heads whose outputs the current step computed; the others get no gradient (see train_step).
        self.used_heads = set()

    def forward(self, x, head):
        self.used_heads.add(head)
        return self.heads[head](self.body(x))


def cross_entropy_by_head(model, x, y, heads):
    """Mean over all rows of the cross-entropy of each row on its own head."""
    hidden = model.body(x)
    total = hidden.new_zeros(())
    for head in sorted(set(heads.tolist())):
        rows = heads == head
        model.used_heads.add(head)
        total = total + F.cross_entropy(model.heads[head](hidden[rows]), y[rows], reduction="sum")
    return total / len(y)


def accuracy(model, x, y, head):
    with torch.no_grad():
        return (model(x, head).argmax(dim=1) == y).double().mean().item()


def parameters_by_name(model):
    return {name: p for name, p in model.named_parameters()}


def snapshot(model):
    return {name: p.detach().clone() for name, p in model.named_parameters()}


# ------------------------------------------------------------------------------------------ strategies


class Naive:
    """Fine-tunes on each experience. Hooks, in the order of a run: replay_rows and penalty in every step,
    before_step / after_step around the optimizer step, after_experience when an experience ends."""

    def __init__(self, scenario, generator, features):
        self.scenario, self.generator = scenario, generator

    def replay_rows(self, batch):
        return None

    def penalty(self, model, x, experience):
        return None

    def before_step(self, model):
        pass

    def after_step(self, model):
        pass

    def after_experience(self, model, experience):
        pass

    def settings(self):
        return {}


class Replay(Naive):
    """Experience replay with a reservoir buffer (Vitter's Algorithm R over every sample offered): each step
    adds `batch` samples drawn uniformly (with replacement) from the buffer; at an experience's end its
    training samples are offered to the buffer in their stored order."""

    def __init__(self, scenario, generator, features):
        super().__init__(scenario, generator, features)
        self.capacity = REPLAY_BUFFER_BYTES // (4 * features)
        self.x = torch.zeros(self.capacity, features)
        self.y = torch.zeros(self.capacity, dtype=torch.int64)
        self.heads = torch.zeros(self.capacity, dtype=torch.int64)
        self.seen = 0

    def replay_rows(self, batch):
        size = min(self.seen, self.capacity)
        if size == 0:
            return None
        picks = torch.randint(size, (batch,), generator=self.generator)
        return self.x[picks], self.y[picks], self.heads[picks]

    def after_experience(self, model, experience):
        xs, ys = experience["train"]
        for i in range(len(ys)):
            if self.seen < self.capacity:
                slot = self.seen
            else:
                slot = int(torch.randint(self.seen + 1, (1,), generator=self.generator))
            if slot < self.capacity:
                self.x[slot], self.y[slot], self.heads[slot] = xs[i], ys[i], experience["head"]
            self.seen += 1

    def settings(self):
        return {"bufferBytes": REPLAY_BUFFER_BYTES, "bufferSamples": self.capacity, "bufferPolicy": "reservoir", "replayBatch": "batch"}


def diagonal_fisher(model, experience, samples, generator):
    """Diagonal Fisher information of the model's predicted label (Kirkpatrick et al. 2017; van de Ven &
    Tolias 2019), one training sample at a time on `samples` samples drawn without replacement."""
    xs, _ = experience["train"]
    picks = torch.randperm(len(xs), generator=generator)[:samples]
    fisher = {name: torch.zeros_like(p) for name, p in model.named_parameters()}
    for i in picks.tolist():
        model.zero_grad(set_to_none=True)
        logits = model(xs[i : i + 1], experience["head"])
        F.cross_entropy(logits, logits.argmax(dim=1)).backward()
        for name, p in model.named_parameters():
            if p.grad is not None:
                fisher[name] += p.grad.detach() ** 2
    model.zero_grad(set_to_none=True)
    return {name: f / len(picks) for name, f in fisher.items()}


def quadratic_penalty(model, anchors):
    """sum over (importance, anchor) of sum importance (w - anchor)^2."""
    params = parameters_by_name(model)
    total = None
    for importance, anchor in anchors:
        for name, p in params.items():
            term = (importance[name] * (p - anchor[name]) ** 2).sum()
            total = term if total is None else total + term
    return total


class EWC(Naive):
    """Elastic weight consolidation (Kirkpatrick et al., PNAS 2017): (lambda / 2) sum over earlier
    experiences k of sum F_k (w - w*_k)^2, F_k the diagonal Fisher at the end of k, w*_k the weights then."""

    def __init__(self, scenario, generator, features):
        super().__init__(scenario, generator, features)
        self.strength = EWC_LAMBDA[scenario]
        self.anchors = []

    def penalty(self, model, x, experience):
        if not self.anchors:
            return None
        return self.strength / 2 * quadratic_penalty(model, self.anchors)

    def after_experience(self, model, experience):
        self.anchors.append((diagonal_fisher(model, experience, FISHER_SAMPLES, self.generator), snapshot(model)))

    def settings(self):
        return {"lambda": self.strength, "fisherSamples": FISHER_SAMPLES, "fisher": "predicted label"}


class OnlineEWC(EWC):
    """Online EWC (Schwarz et al., ICML 2018, "Progress & Compress"): one running Fisher F = gamma F + F_new,
    anchored at the weights at the end of the latest experience; penalty (lambda / 2) sum F (w - w*)^2."""

    def after_experience(self, model, experience):
        fisher = diagonal_fisher(model, experience, FISHER_SAMPLES, self.generator)
        if self.anchors:
            running, _ = self.anchors[0]
            fisher = {name: ONLINE_EWC_GAMMA * running[name] + f for name, f in fisher.items()}
        self.anchors = [(fisher, snapshot(model))]

    def settings(self):
        return {**super().settings(), "gamma": ONLINE_EWC_GAMMA}


class SI(Naive):
    """Synaptic intelligence (Zenke et al., ICML 2017): omega += -g * dw in every step, g the gradient of the
    task loss without the penalty and dw the step's change; at an experience's end Omega += relu(omega) /
    (delta^2 + xi), delta the change over the experience; penalty c sum Omega (w - w*)^2, w* the weights
    at the latest end. The unregularised gradient and the relu are those of the authors' code
    (ganguli-lab/pathint: "unreg_grads", omega through tf.nn.relu)."""

    def __init__(self, scenario, generator, features):
        super().__init__(scenario, generator, features)
        self.strength = SI_C[scenario]
        self.importance = None
        self.anchor = None
        self.start = None
        self.omega = None

    def penalty(self, model, x, experience):
        if self.importance is None:
            return None
        return self.strength * quadratic_penalty(model, [(self.importance, self.anchor)])

    def before_step(self, model):
        if self.start is None:
            self.start = snapshot(model)
            self.omega = {name: torch.zeros_like(p) for name, p in model.named_parameters()}
        self.gradient = {name: p.grad.detach().clone() for name, p in model.named_parameters() if p.grad is not None}
        if self.importance is not None:
            # The penalty's own gradient, 2 c Omega (w - w*), taken out: omega follows the task loss alone.
            for name, p in model.named_parameters():
                if name in self.gradient:
                    self.gradient[name] -= 2 * self.strength * self.importance[name] * (p.detach() - self.anchor[name])
        self.before = snapshot(model)

    def after_step(self, model):
        for name, p in model.named_parameters():
            if name in self.gradient:
                self.omega[name] -= self.gradient[name] * (p.detach() - self.before[name])

    def after_experience(self, model, experience):
        now = snapshot(model)
        if self.importance is None:
            self.importance = {name: torch.zeros_like(w) for name, w in now.items()}
        for name, w in now.items():
            self.importance[name] += self.omega[name].clamp(min=0) / ((w - self.start[name]) ** 2 + SI_XI)
        self.anchor = now
        self.start, self.omega = None, None

    def settings(self):
        return {"c": self.strength, "xi": SI_XI}


class LwF(Naive):
    """Learning without forgetting (Li & Hoiem, TPAMI 2017): cross-entropy plus alpha T^2 KL(softmax(old / T)
    || softmax(new / T)) on the current inputs, old the model at the end of the previous experience. In the
    task scenario the KL is taken on each earlier experience's head and summed, as Li & Hoiem add the loss
    of each old task; elsewhere on the one shared head."""

    def __init__(self, scenario, generator, features):
        super().__init__(scenario, generator, features)
        self.old = None
        self.old_heads = []

    def penalty(self, model, x, experience):
        if self.old is None:
            return None
        heads = [h for h in self.old_heads if h != experience["head"]] if self.scenario == "task" else [experience["head"]]
        total = None
        with torch.no_grad():
            hidden_old = self.old.body(x)
        hidden = model.body(x)
        for head in heads:
            model.used_heads.add(head)
            with torch.no_grad():
                target = F.softmax(self.old.heads[head](hidden_old) / LWF_TEMPERATURE, dim=1)
            log_new = F.log_softmax(model.heads[head](hidden) / LWF_TEMPERATURE, dim=1)
            term = F.kl_div(log_new, target, reduction="batchmean")
            total = term if total is None else total + term
        return None if total is None else LWF_ALPHA * LWF_TEMPERATURE**2 * total

    def after_experience(self, model, experience):
        self.old = copy.deepcopy(model)
        self.old.requires_grad_(False)
        if experience["head"] not in self.old_heads:
            self.old_heads.append(experience["head"])

    def settings(self):
        return {"alpha": LWF_ALPHA, "temperature": LWF_TEMPERATURE}


STRATEGIES = {"naive": Naive, "replay": Replay, "ewc": EWC, "online-ewc": OnlineEWC, "si": SI, "lwf": LwF}


# ------------------------------------------------------------------------------------------------ run


def train_step(model, optimizer, strategy, experience, x, y):
    model.used_heads = set()
    heads = torch.full((len(y),), experience["head"], dtype=torch.int64)
    replayed = strategy.replay_rows(len(y))
    if replayed is not None:
        x_all, y_all, heads_all = torch.cat([x, replayed[0]]), torch.cat([y, replayed[1]]), torch.cat([heads, replayed[2]])
    else:
        x_all, y_all, heads_all = x, y, heads
    loss = cross_entropy_by_head(model, x_all, y_all, heads_all)
    penalty = strategy.penalty(model, x, experience)
    if penalty is not None:
        loss = loss + penalty
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    # As on the device (docs/models.md), a step moves only the shared layers and the heads whose outputs
    # it computed: torch.optim.Adam skips a parameter without a gradient, stale momentum included.
    for head, module in enumerate(model.heads):
        if head not in model.used_heads:
            for p in module.parameters():
                p.grad = None
    strategy.before_step(model)
    optimizer.step()
    strategy.after_step(model)


def run(stream_folder, strategy_name, seed, iterations, batch, hidden, lr):
    stream, experiences = load_stream(stream_folder)
    scenario = stream["scenario"]
    generator = torch.Generator().manual_seed(seed)
    model = MultiHeadMLP(stream["features"], hidden, stream["heads"], generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    strategy = STRATEGIES[strategy_name](scenario, generator, stream["features"])

    matrix = []
    for experience in experiences:
        model.train()
        xs, ys = experience["train"]
        batches = IndexStream(len(ys), generator)
        for _ in range(iterations):
            picks = batches.next(batch)
            train_step(model, optimizer, strategy, experience, xs[picks], ys[picks])
        strategy.after_experience(model, experience)
        model.eval()
        matrix.append([accuracy(model, *other["test"], other["head"]) for other in experiences])

    return {
        "strategy": strategy_name,
        "scenario": scenario,
        "seed": seed,
        "accuracyMatrix": matrix,
        "avgAccuracy": sum(matrix[-1]) / len(matrix[-1]),
        "settings": {
            "benchmark": stream["benchmark"],
            "classOrder": stream["classOrder"],
            "model": f"mlp:{','.join(map(str, hidden))}",
            "heads": stream["heads"],
            "init": "uniform +-sqrt(6/fanIn), biases 0",
            "iterations": iterations,
            "batch": batch,
            "optimizer": {"name": "adam", "lr": lr, "betas": [0.9, 0.999], "eps": 1e-8},
            "strategy": strategy.settings(),
            "trainSamples": [len(e["train"][1]) for e in experiences],
            "testSamples": [len(e["test"][1]) for e in experiences],
            "torch": torch.__version__,
        },
    }


# ------------------------------------------------------------------------------------------------ CLI


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def integer(name, low):
    def parse(text):
        if not text.strip().isdigit() or int(text) < low:
            raise expected(f"{name} to be an integer >= {low}", text)
        return int(text)

    return parse


def widths(text):
    parts = [p for p in text.split(",") if p.strip()]
    if not all(p.strip().isdigit() and int(p) > 0 for p in parts):
        raise expected("--hidden to be a comma-separated list of positive widths (e.g. 100,100)", text)
    return [int(p) for p in parts]


def positive(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or not math.isfinite(value):
        raise expected("--lr to be a positive number", text)
    return value


def main(argv):
    parser = Parser(description=__doc__.splitlines()[0])
    parser.add_argument("--stream", required=True, help="folder written by `edgecl export`")
    parser.add_argument("--strategy", required=True, help=", ".join(STRATEGIES))
    parser.add_argument("--seed", required=True, type=integer("--seed", 0))
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--iterations", default=100, type=integer("--iterations", 1))
    parser.add_argument("--batch", default=128, type=integer("--batch", 1))
    parser.add_argument("--hidden", default="100,100", type=widths)
    parser.add_argument("--lr", default=0.001, type=positive)
    try:
        args = parser.parse_args(argv)
        if args.strategy not in STRATEGIES:
            raise expected(f"a strategy: {', '.join(STRATEGIES)}", args.strategy)
        torch.set_num_threads(1)
        report = run(args.stream, args.strategy, args.seed, args.iterations, args.batch, args.hidden, args.lr)
    except UsageError as error:
        print(f"split_mnist.py: {error}", file=sys.stderr)
        return 2
    # Write then rename, so that an interrupted run never leaves a report behind.
    folder = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(folder, exist_ok=True)
    partial = args.out + ".partial"
    with open(partial, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    os.replace(partial, args.out)
    print(f"{args.strategy} {report['scenario']} seed {args.seed}: {100 * report['avgAccuracy']:.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
