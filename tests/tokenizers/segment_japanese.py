"""Segments Japanese text into words with Sudachi, for `crates/routes-index/tests/japanese.rs`.

Reads one JSON string per line on stdin and writes, per line, a JSON object with the surface
forms and the parts of speech (their first level, such as `名詞` or `助詞`) of the words in
Sudachi's three modes: `A` (short units), `B` (middle) and `C` (named
entities and compounds whole). Whitespace tokens are left out.
"""

import json
import sys

from sudachipy import Dictionary, SplitMode

MODES = {"A": SplitMode.A, "B": SplitMode.B, "C": SplitMode.C}


def main() -> None:
    dictionary = Dictionary(dict="core")
    tokenizers = {name: dictionary.tokenizer(mode) for name, mode in MODES.items()}
    for line in sys.stdin:
        text = json.loads(line)
        words = {}
        for name, tokenizer in tokenizers.items():
            words[name] = [
                {"surface": m.surface(), "pos": m.part_of_speech()[0]}
                for m in tokenizer.tokenize(text)
                if m.surface().strip()
            ]
        sys.stdout.write(json.dumps(words, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
