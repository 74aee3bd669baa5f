"""Colours and shapes per class and predicate, and the default node cap."""

COLOURS = {
    "Agent": ("#e4572e", "dot"), "Platform": ("#17bebb", "diamond"), "Receptor": ("#76b041", "triangle"),
    "Tumour": ("#7b2cbf", "square"), "TMEBarrier": ("#ffc914", "star"), "CombinationPartner": ("#2e86ab", "dot"),
    "ClinicalTrial": ("#8d99ae", "box"), "Other": ("#cccccc", "dot"),
}
EDGE_COLOURS = {
    "nkv:usesPlatform": "#17bebb", "nkv:targets": "#76b041", "nkv:testedIn": "#7b2cbf", "nkv:combinedWith": "#2e86ab",
    "nkv:counters": "#f4a261", "nkv:limitedBy": "#d62828", "nkv:evaluatedIn": "#8d99ae", "nkv:condition": "#b8b8d1",
}
HYPOTHESIS_COLOUR = "#ff00aa"
MAX_NODES = 1500
