#!/usr/bin/python3
"""PyTorch on the CPU, the native peer of the CNN rows of `make bench` (bench/run.js).

Run with Debian's interpreter and its python3-torch (scripts/install-deps.sh --bench):
  /usr/bin/python3 bench/runners/pytorch.py --data DIR --files JSON --recipe JSON --layers JSON
                                            --threads N [--steps S --test-images M]
(--files: the four IDX file names in DIR, {"train": [images, labels], "test": [...]}, from
common/datasets.js, their one home; --layers: the core's description of recipe['arch'],
the layers of mnist_arch_describe, the input first: the grammar's one home is the core.)
Ends with ONE line: BENCH_RESULT {json}, the fields of bench/runners/common.js's cnnResult().

The same protocol as the JS peers (runCnnProtocol in bench/runners/common.js): a fresh
network (He-uniform weights, zero biases) trains recipe['epochs'] epochs in batches of
recipe['batch'], a new shuffled order each epoch, with torch.optim.Adam (lr recipe['lr'],
betas (recipe['beta1'], recipe['beta2']), eps recipe['eps']) under
torch.optim.lr_scheduler.OneCycleLR(max_lr=recipe['lr'], total_steps=all updates) at its
defaults (which cycles beta1 0.95 -> 0.85 -> 0.95 in place of recipe['beta1']); the 10,000
test images are evaluated after each epoch. Inputs x/255, float32, no warm-up. With
recipe['shift'] = N > 0 (the core's augmentation), each training image is moved by a
whole number of pixels drawn in [-N, N] across and down, zero fill, a new draw each time
it is used (the core's hyper.shift). The recipe is the core's preset (bench/recipe.js):
a setting this runner cannot honour (rotation, scaling, weight decay, another optimiser
or schedule) stops it with a message, rather than training something else. Timed
separately: the training steps (batch gather, shifts, forward, backward, update) and the
test evaluations. The whole dataset is converted to floats once before the run (not timed), as
a PyTorch user would hold it.
"""
import argparse, gzip, json, math, os, resource, struct, sys, time


def idx(path):
    """An IDX file (gzipped) as a numpy array: images (n, 1, 28, 28) uint8 or labels (n,)."""
    import numpy as np
    with gzip.open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('>I', data[:4])[0]
    if magic == 2051:
        n, rows, cols = struct.unpack('>III', data[4:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, 1, rows, cols)
    if magic == 2049:
        return np.frombuffer(data, np.uint8, offset=8)
    raise SystemExit(f'{path}: not an IDX file (magic {magic})')


def layers_of(described):
    """The core's description of the architecture (mnist_arch_describe's layers, the input
    first, as bench/run.js passes it) as [('conv', in_c, out_c, k, pad), ('pool', p),
    ('fc', in, out), ...]. The architecture grammar's one home is the core: nothing here
    reads the text."""
    out = []
    for prev, layer in zip(described, described[1:]):
        kind = layer['kind']
        if kind == 'conv':
            out.append(('conv', prev['c'], layer['filters'], layer['kernel'], layer['pad']))
        elif kind == 'pool':
            out.append(('pool', layer['kernel']))
        elif kind == 'dense':
            out.append(('fc', prev['size'], layer['size']))
        else:
            raise SystemExit(f'a layer of kind {kind} is not one this runner builds')
    return out


# The recipe's settings this runner honours (with the values it can), and those that
# only matter for another optimiser or schedule.
HONOURED = {'arch', 'init', 'seed', 'optimizer', 'schedule', 'lr', 'batch', 'epochs', 'iterations', 'beta1', 'beta2',
            'eps', 'shift', 'rotate', 'scale', 'weightDecay', 'preset', 'presetEpochs'}
UNUSED = {'momentum', 'lrDecay'}  # SGD's and the step schedule's


def check_recipe(recipe):
    unknown = sorted(set(recipe) - HONOURED - UNUSED)
    if unknown:
        raise SystemExit(f"the recipe has settings this runner does not know: {', '.join(unknown)}")
    if recipe['optimizer'] != 'adam' or recipe['schedule'] != 'onecycle' or recipe['init'] != 'he':
        raise SystemExit('this runner implements Adam, the one-cycle schedule and He init only')
    off = [k for k in ('rotate', 'scale', 'weightDecay') if recipe.get(k, 0)]
    if off:
        raise SystemExit(f"this runner cannot train with {', '.join(off)} (the core's L2 on the weights, turns and "
                         'scaling have no counterpart here); shifts it can')
    if not (isinstance(recipe.get('shift', 0), int) and 0 <= recipe.get('shift', 0) <= 4):
        raise SystemExit(f"shift {recipe.get('shift')}: a whole number of pixels, 0 to 4")


def shifted(x, shift, gen):
    """x (B, 1, 28, 28), each image moved by (dx, dy) drawn uniformly in [-shift, shift]:
    out[y][x] = x[y - dy][x - dx], zero where that is outside (the core's pixels_to_float_shifted)."""
    import torch
    b, _, rows, cols = x.shape
    padded = torch.nn.functional.pad(x, (shift, shift, shift, shift))
    d = torch.randint(-shift, shift + 1, (b, 2), generator=gen)
    out = torch.empty_like(x)
    for dx in range(-shift, shift + 1):
        for dy in range(-shift, shift + 1):
            ix = ((d[:, 0] == dx) & (d[:, 1] == dy)).nonzero().flatten()
            if len(ix):
                out[ix] = padded[ix, :, shift - dy:shift - dy + rows, shift - dx:shift - dx + cols]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--files', required=True)
    ap.add_argument('--recipe', required=True)
    ap.add_argument('--layers', required=True)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--steps', type=int, default=0)
    ap.add_argument('--test-images', type=int, default=0)
    a = ap.parse_args()
    recipe = json.loads(a.recipe)
    check_recipe(recipe)
    shift = recipe.get('shift', 0)

    import torch  # first: a missing torch is what bench/cnn.js explains
    import numpy as np
    import torch.nn as nn
    import torch.nn.functional as F
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)

    files = json.loads(a.files)
    def load(which):
        images, labels = (os.path.join(a.data, name) for name in files[which])
        return torch.tensor(idx(images), dtype=torch.float32) / 255, torch.tensor(idx(labels).astype(np.int64))
    x_train, y_train = load('train')
    x_test, y_test = load('test')

    class Net(nn.Module):
        def __init__(self, spec):
            super().__init__()
            self.spec = spec
            self.layers = nn.ModuleList()
            for s in spec:
                if s[0] == 'conv':
                    self.layers.append(nn.Conv2d(s[1], s[2], s[3], padding=s[4]))
                elif s[0] == 'fc':
                    self.layers.append(nn.Linear(s[1], s[2]))
                else:
                    self.layers.append(nn.MaxPool2d(s[1]))
            for m in self.layers:
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    nn.init.kaiming_uniform_(m.weight, nonlinearity='relu')  # He-uniform: U(+-sqrt(6 / fan_in))
                    nn.init.zeros_(m.bias)

        def forward(self, x):
            last = len(self.layers) - 1
            for i, (s, m) in enumerate(zip(self.spec, self.layers)):
                if s[0] == 'fc' and x.dim() > 2:
                    x = x.flatten(1)
                x = m(x)
                if s[0] != 'pool' and i != last:
                    x = F.relu(x)
            return x

    torch.manual_seed(recipe['seed'])
    gen = torch.Generator()
    gen.manual_seed(recipe['seed'])
    net = Net(layers_of(json.loads(a.layers)))
    n, batch, epochs = x_train.shape[0], recipe['batch'], recipe['epochs']
    per_epoch = math.ceil(n / batch)
    total_steps = per_epoch * epochs
    steps = min(a.steps, total_steps) if a.steps > 0 else total_steps
    subset = steps < total_steps
    test_images = min(a.test_images, x_test.shape[0]) if subset and a.test_images > 0 else x_test.shape[0]
    opt = torch.optim.Adam(net.parameters(), lr=recipe['lr'], betas=(recipe['beta1'], recipe['beta2']), eps=recipe['eps'])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=recipe['lr'], total_steps=total_steps)

    started = time.perf_counter()
    train_seconds = eval_seconds = 0.0
    step = 0
    accuracies = []
    for epoch in range(epochs):
        if step >= steps:
            break
        net.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        for i in range(per_epoch):
            if step >= steps:
                break
            ix = perm[i * batch:(i + 1) * batch]
            x = shifted(x_train[ix], shift, gen) if shift else x_train[ix]
            loss = F.cross_entropy(net(x), y_train[ix])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
        train_seconds += time.perf_counter() - t0
        t0 = time.perf_counter()
        net.eval()
        correct = 0
        with torch.no_grad():
            for j in range(0, test_images, 2000):
                k = min(j + 2000, test_images)
                correct += (net(x_test[j:k]).argmax(1) == y_test[j:k]).sum().item()
        eval_seconds += time.perf_counter() - t0
        accuracies.append(correct / test_images)
    wall = time.perf_counter() - started

    samples = min(steps * batch, n * epochs)
    per_test = eval_seconds / len(accuracies) * (10000 / test_images)
    result = {
        'samples_timed': samples,
        'seconds_timed': train_seconds,
        'samples_per_second': samples / train_seconds,
        'seconds_per_test_evaluation': per_test,
        'seconds_run': train_seconds * total_steps / steps + per_test * epochs if subset else wall,
        'run_extrapolated': subset,
        'steps_timed': steps,
        'steps_run': total_steps,
        'test_images_evaluated': test_images,
        'test_accuracy': None if subset else accuracies[-1],
        'test_accuracy_per_epoch': None if subset else accuracies,
        'subset_test_accuracy': accuracies[-1] if subset else None,
        'threads': torch.get_num_threads(),
        'torch': torch.__version__,
        'python': sys.version.split()[0],
        'shift': shift,
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print('BENCH_RESULT ' + json.dumps(result), flush=True)


if __name__ == '__main__':
    try:
        main()
    except SystemExit as e:
        if e.code not in (None, 0):
            print('BENCH_RESULT ' + json.dumps({'error': str(e.code)}), flush=True)
        raise
    except Exception as e:  # a result line with the error, like the Node runners
        print('BENCH_RESULT ' + json.dumps({'error': f'{type(e).__name__}: {e}'}), flush=True)
        sys.exit(1)
