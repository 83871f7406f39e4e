"""The accompanist: it hears the performer (ear), predicts the harmony (model) and answers online.

Modules, one concept each: `chords` (the chord vocabulary), `ear` (key, harmony and playing
features from MIDI notes), `model` (the torch next-chord network), `decide` (the fusion of model
and ear into one chord per decision), `baselines` (the reference deciders), `online` (the
JSON-lines protocol), `leadsheets` (reading the shared data), `evaluate` (the metrics) and `train`.
Torch is imported only by `model` and `train`, so nothing else pays for it at start-up.
"""
