"""Text preprocessing: ``StringLookup``, ``IntegerLookup`` and ``TextVectorization``.

They turn raw strings (or arbitrary integers) into the ids an ``Embedding``
wants, with a vocabulary given or learned by ``adapt``. The vocabulary is
ordered as in Keras 3:

- ``[mask_token]`` first, at index 0, if there is one (``output_mode="int"``);
- then ``num_oov_indices`` out-of-vocabulary slots (``"[UNK]"``, or -1 for
  integers): every unknown token maps there;
- then the learned tokens, most frequent first; ties in reverse order of the
  tokens themselves (Keras sorts by (count, token) and reverses).

``max_tokens`` counts the special tokens too. Lookups run in plain Python on
the host (no gradients: the outputs are ids or counts).

>>> import nn
>>> vectorize = nn.layers.TextVectorization(output_sequence_length=4)
>>> vectorize.adapt(["the cat sat", "The dog sat!"])
>>> vectorize.get_vocabulary()
['', '[UNK]', 'the', 'sat', 'dog', 'cat']
>>> vectorize(["the bird sat"]).numpy()
array([[2, 1, 3, 0]])
"""

from __future__ import annotations

import re
import string
import zlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor
from nn.layers.base import Layer
from nn.saving.registry import register

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
# The characters Keras's "strip_punctuation" removes (its DEFAULT_STRIP_REGEX).
STRIP_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')
# Keras lowers with tf.strings.lower, which changes ASCII letters only ("É" stays).
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _as_array(data: Any) -> np.ndarray:
    """Tensors, lists and arrays -> a NumPy array (strings stay strings)."""
    return np.asarray(data.data if isinstance(data, Tensor) else data)


def _batches(data: Any) -> tuple[list[np.ndarray], bool]:
    """``adapt``'s data as a list of arrays; the flag says whether it was one array
    (a 1-D array is then many one-token documents; a 1-D batch is one document)."""
    if isinstance(data, (np.ndarray, list, tuple, Tensor, str)):
        return [_as_array(data)], True
    return [_as_array(b[0] if isinstance(b, tuple) else b) for b in data], False


class _IndexLookup(Layer):
    """The logic StringLookup and IntegerLookup share (not exported, as in Keras)."""

    input_kinds = "biufUSO"  # tokens: numbers or strings

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any,
                 oov_token: Any, vocabulary: Any, idf_weights: Any, invert: bool,
                 output_mode: str, pad_to_max_tokens: bool, sparse: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        where = f"{type(self).__name__} layer '{self.name}'"
        if output_mode == "tf-idf":  # Keras 2 spelling
            output_mode = "tf_idf"
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"{where}: output_mode must be one of {OUTPUT_MODES}, "
                             f"got {output_mode!r}.")
        if invert and output_mode != "int":
            raise ValueError(f"{where}: invert=True maps ids back to tokens, so it needs "
                             f"output_mode='int' (got {output_mode!r}).")
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{where}: max_tokens must be > 1 (it counts the mask and OOV "
                             f"tokens too), got {max_tokens}.")
        if num_oov_indices < 0:
            raise ValueError(f"{where}: num_oov_indices must be >= 0, got {num_oov_indices}.")
        if sparse:
            raise ValueError(f"{where}: sparse=True is not supported; outputs are dense.")
        if pad_to_max_tokens and max_tokens is None and output_mode != "int":
            raise ValueError(f"{where}: pad_to_max_tokens=True needs max_tokens.")
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self._tokens: list = []  # the learned tokens, without mask and OOV
        self._index: dict = {}
        self.idf_weights: np.ndarray | None = None
        self._has_input_vocabulary = vocabulary is not None
        self._reset_counts()
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError(f"{where}: idf_weights need a vocabulary to go with them.")

    # ---------------------------------------------------------------- indices
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The number of ids: mask and OOV slots included."""
        return self._token_start_index() + len(self._tokens)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The token of each id, in order (the mask and OOV tokens first)."""
        special = ([self.mask_token] if self._oov_start_index() else []) \
            + [self.oov_token] * self.num_oov_indices
        return (special if include_special_tokens else []) + list(self._tokens)

    # ---------------------------------------------------------------- vocabulary
    def _convert_token(self, token: Any) -> Any:
        """One token as Python data (str / int); subclasses check the type."""
        raise NotImplementedError

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Use these tokens (most frequent first); the special tokens may lead them
        in the order ``get_vocabulary()`` shows, or be left out."""
        where = f"{type(self).__name__} layer '{self.name}'"
        if isinstance(vocabulary, str):
            raise ValueError(f"{where}: a vocabulary file path is not supported; pass a list "
                             "of tokens (e.g. open(path).read().splitlines()).")
        tokens = [self._convert_token(t) for t in _as_array(vocabulary).reshape(-1).tolist()]
        if not tokens:
            raise ValueError(f"{where}: cannot set an empty vocabulary.")
        special = self.get_vocabulary()[:self._token_start_index()]
        found_special = tokens[:len(special)] == special
        if found_special:
            tokens = tokens[len(special):]
        repeated = [t for t, n in Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"{where}: the vocabulary repeats {repeated}; each token may "
                             "appear once.")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"{where}: the mask token {self.mask_token!r} is in the "
                             f"vocabulary; leave it out, or put the special tokens first in "
                             f"exactly this order: {special}.")
        if self.invert and self.oov_token in tokens:
            raise ValueError(f"{where}: the OOV token {self.oov_token!r} is in the "
                             f"vocabulary; leave it out, or put the special tokens first in "
                             f"exactly this order: {special}.")
        size = self._token_start_index() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"{where}: the vocabulary would have {size} entries (special "
                             f"tokens included), more than max_tokens={self.max_tokens}.")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{where}: output_mode='tf_idf' needs idf_weights with "
                                 "the vocabulary.")
            weights = np.asarray(_as_array(idf_weights), dtype=np.float32).reshape(-1)
            given = len(tokens) + (len(special) if found_special else 0)
            if weights.size != given:
                raise ValueError(f"{where}: {weights.size} idf_weights for a vocabulary of "
                                 f"{given}; give one weight per token.")
            if not found_special:  # Keras gives the special slots the average weight
                weights = np.concatenate([np.full(len(special), weights.mean(), np.float32),
                                          weights])
            self.idf_weights = self._pad_idf(weights)
        elif idf_weights is not None:
            raise ValueError(f"{where}: idf_weights only go with output_mode='tf_idf'.")
        self._set_tokens(tokens)
        self._has_input_vocabulary = True

    def _set_tokens(self, tokens: list) -> None:
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: start + i for i, t in enumerate(self._tokens)}

    def _pad_idf(self, weights: np.ndarray) -> np.ndarray:
        if self.pad_to_max_tokens and self.max_tokens is not None:
            weights = np.pad(weights, (0, self.max_tokens - weights.size))
        return weights.astype(np.float32)

    # ---------------------------------------------------------------- adapt
    def _reset_counts(self) -> None:
        self._token_counts: Counter = Counter()
        self._document_counts: Counter = Counter()
        self._num_documents = 0

    def _count_documents(self, documents: list[list]) -> None:
        for document in documents:
            self._token_counts.update(document)
            self._document_counts.update(set(document))
        self._num_documents += len(documents)

    def _finalize(self) -> None:
        for special in (self.mask_token, self.oov_token):
            self._token_counts.pop(special, None)
        # Most frequent first; ties in reverse token order (Keras: lexsort, reversed).
        tokens = sorted(self._token_counts, key=lambda t: (self._token_counts[t], t),
                        reverse=True)
        if self.max_tokens:
            tokens = tokens[:max(0, self.max_tokens - self._token_start_index())]
        if self.output_mode == "tf_idf":
            counts = np.array([self._document_counts[t] for t in tokens], dtype=np.float64)
            idf = np.log(1.0 + self._num_documents / (1.0 + counts))
            front = np.full(self._token_start_index(), idf.mean() if idf.size else 0.0)
            self.idf_weights = self._pad_idf(np.concatenate([front, idf]))
        self._set_tokens(tokens)
        self._reset_counts()

    def adapt(self, data: Any, batch_size: Any = None, steps: int | None = None) -> None:
        """Learn the vocabulary from ``data``: an array or list (each row a document;
        a 1-D one holds one-token documents) or an iterable of batches."""
        if self._has_input_vocabulary:
            raise ValueError(f"{type(self).__name__} layer '{self.name}' was given its "
                             "vocabulary; adapt() would replace it.")
        batches, single = _batches(data)
        for number, batch in enumerate(batches):
            if steps is not None and number >= steps:
                break
            batch = batch.reshape(-1, 1) if (single and batch.ndim == 1) else batch
            batch = batch.reshape(1, -1) if batch.ndim <= 1 else batch.reshape(len(batch), -1)
            self._count_documents([[self._convert_token(t) for t in row]
                                   for row in batch.tolist()])
        self._finalize()

    # ---------------------------------------------------------------- call
    def _oov_index(self, token: Any) -> int:
        """Where an unknown token goes (Keras hashes it into one of the OOV slots)."""
        if self.num_oov_indices == 0:
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}': {token!r} is not in the "
                "vocabulary, and num_oov_indices=0 leaves it nowhere to go. Add it to the "
                "vocabulary or set num_oov_indices=1.")
        return self._oov_start_index() + self._oov_bucket(token)

    def _oov_bucket(self, token: Any) -> int:
        raise NotImplementedError

    def lookup_ids(self, tokens: list) -> list[int]:
        """Token -> id for each token in a flat list (-1 for a dropped mask token)."""
        mask_id = 0 if self.output_mode == "int" else -1
        ids = []
        for token in tokens:
            token = self._convert_token(token)
            if self.mask_token is not None and token == self.mask_token:
                ids.append(mask_id)
            else:
                found = self._index.get(token)
                ids.append(self._oov_index(token) if found is None else found)
        return ids

    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    def encode(self, rows: list[list[int]]) -> np.ndarray:
        """Per-document ids -> (documents, depth) multi_hot / count / tf_idf rows."""
        depth = self._depth()
        out = np.zeros((len(rows), depth), dtype=np.float32)
        for r, ids in enumerate(rows):
            ids = np.asarray([i for i in ids if i >= 0], dtype=np.int64)
            out[r] = np.bincount(ids, minlength=depth)[:depth]
        if self.output_mode == "multi_hot":
            out = np.minimum(out, 1.0)
        elif self.output_mode == "tf_idf":
            out = out * self.idf_weights[:depth]
        return out

    def _check_ready(self) -> None:
        if self.output_mode != "int" and not self.pad_to_max_tokens and not self._tokens:
            raise RuntimeError(
                f"{type(self).__name__} layer '{self.name}': output_mode="
                f"'{self.output_mode}' needs the vocabulary before the first call: pass "
                "vocabulary=... or call adapt(data) first.")

    def call(self, inputs: Any) -> Tensor:
        self._check_ready()
        data = _as_array(inputs)
        if self.invert:
            return Tensor(self._invert(data))
        ids = np.asarray(self.lookup_ids(data.reshape(-1).tolist()), dtype=np.int64)
        ids = ids.reshape(data.shape)
        if self.output_mode == "int":
            return Tensor(ids)
        if self.output_mode == "one_hot":
            depth = self._depth()
            hot = (ids[..., None] == np.arange(depth)).astype(np.float32)
            return Tensor(hot[..., 0, :] if ids.ndim > 1 and ids.shape[-1] == 1 else hot)
        if ids.ndim > 2:
            raise ValueError(f"{type(self).__name__} layer '{self.name}': output_mode="
                             f"'{self.output_mode}' takes inputs of rank 1 or 2 (documents "
                             f"of tokens), got shape {ids.shape}.")
        rows = [ids.reshape(-1).tolist()] if ids.ndim <= 1 else ids.tolist()
        encoded = self.encode(rows)
        return Tensor(encoded[0] if ids.ndim <= 1 else encoded)

    def _invert(self, ids: np.ndarray) -> np.ndarray:
        if ids.dtype.kind not in "iu":
            raise ValueError(f"{type(self).__name__} layer '{self.name}' (invert=True) maps "
                             f"integer ids back to tokens, got dtype {ids.dtype}.")
        vocabulary = self.get_vocabulary()
        tokens = [vocabulary[i] if self._token_start_index() <= i < len(vocabulary)
                  or (i == 0 and self._oov_start_index() == 1) else self.oov_token
                  for i in ids.reshape(-1).tolist()]
        return np.array(tokens).reshape(ids.shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if self.output_mode == "one_hot":
            shape = input_shape[:-1] if len(input_shape) > 1 and input_shape[-1] == 1 \
                else input_shape
            return shape + (self._depth(),)
        return input_shape[:-1] + (self._depth(),)

    def get_config(self) -> dict:
        vocabulary = self.get_vocabulary() if self._tokens else None
        idf = None if self.idf_weights is None else \
            self.idf_weights[:self.vocabulary_size()].tolist()
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "mask_token": self.mask_token,
                "oov_token": self.oov_token, "vocabulary": vocabulary, "idf_weights": idf,
                "invert": self.invert, "output_mode": self.output_mode,
                "pad_to_max_tokens": self.pad_to_max_tokens}


class StringLookup(_IndexLookup):
    """Maps strings to ids from a vocabulary (given, or learned by ``adapt``).

    Unknown strings go to the OOV slot(s) after the optional mask token; see the
    module docstring for the order. ``invert=True`` maps ids back to strings.
    ``output_mode`` "one_hot", "multi_hot", "count" or "tf_idf" returns float
    vectors of the vocabulary's size instead of ids. With several OOV slots an
    unknown string picks one by CRC32 (Keras uses FarmHash64, so the slot an
    unknown string lands in can differ from Keras's; known strings match).

    >>> import nn
    >>> lookup = nn.layers.StringLookup(vocabulary=["a", "b", "c"])
    >>> lookup([["a", "c"], ["d", "b"]]).numpy()
    array([[1, 3],
           [0, 2]])
    >>> nn.layers.StringLookup(vocabulary=["a", "b"], invert=True)([[2, 0]]).numpy()
    array([['b', '[UNK]']], dtype='<U5')
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: str | None = None, oov_token: str = "[UNK]",
                 vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False,
                 sparse: bool = False, encoding: str = "utf-8", **kwargs: Any) -> None:
        self.encoding = encoding
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse, **kwargs)

    def _convert_token(self, token: Any) -> str:
        if isinstance(token, bytes):
            return token.decode(self.encoding)
        if not isinstance(token, str):
            raise ValueError(
                f"StringLookup layer '{self.name}' looks up strings, got "
                f"{type(token).__name__} {token!r}. Pass strings, or use IntegerLookup "
                "for integer tokens.")
        return token

    def _oov_bucket(self, token: str) -> int:
        return zlib.crc32(token.encode(self.encoding)) % self.num_oov_indices

    def get_config(self) -> dict:
        return {**super().get_config(), "encoding": self.encoding}


class IntegerLookup(_IndexLookup):
    """Maps arbitrary integers (e.g. user ids) to contiguous ids from a vocabulary.

    As ``StringLookup``, with ``oov_token=-1`` and no mask token by default. With
    several OOV slots an unknown integer ``v`` goes to slot ``v mod num_oov_indices``
    (Keras's default).

    >>> import nn, numpy as np
    >>> lookup = nn.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    >>> lookup(np.array([[12, 1138, 42], [42, 1000, 36]])).numpy()
    array([[1, 3, 4],
           [4, 0, 2]])
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: int | None = None, oov_token: int = -1,
                 vocabulary: Any = None, vocabulary_dtype: str = "int64",
                 idf_weights: Any = None, invert: bool = False, output_mode: str = "int",
                 sparse: bool = False, pad_to_max_tokens: bool = False,
                 **kwargs: Any) -> None:
        if vocabulary_dtype not in ("int64", "int32"):
            raise ValueError(f"IntegerLookup: vocabulary_dtype must be 'int64', got "
                             f"{vocabulary_dtype!r}.")
        self.vocabulary_dtype = "int64"
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse, **kwargs)

    def _convert_token(self, token: Any) -> int:
        if isinstance(token, (bool, str, bytes)) or not float(token).is_integer():
            raise ValueError(
                f"IntegerLookup layer '{self.name}' looks up integers, got "
                f"{type(token).__name__} {token!r}. Use StringLookup for strings.")
        return int(token)

    def _oov_bucket(self, token: int) -> int:
        return token % self.num_oov_indices

    def get_config(self) -> dict:
        return {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype}


class TextVectorization(Layer):
    """Raw strings in, token ids (or bag-of-words vectors) out.

    Each string is standardized (``"lower_and_strip_punctuation"`` by default,
    ``"lower"`` (ASCII letters only, as in Keras), ``"strip_punctuation"``, None,
    or your function str -> str), split
    into tokens (``"whitespace"``, ``"character"``, None for whole strings, or your
    function str -> list of str), then looked up in a vocabulary learned by
    ``adapt`` (or given). With ``output_mode="int"`` id 0 is padding (``""``) and 1
    the unknown token ``"[UNK]"``; rows are padded with 0 to the longest in the
    batch, or padded/truncated to ``output_sequence_length``. ``"multi_hot"``,
    ``"count"`` and ``"tf_idf"`` give one vector of the vocabulary's size per string.

    Parameters
    ----------
    max_tokens : int, optional
        The vocabulary's size, the pad and OOV tokens included.
    output_sequence_length : int, optional
        Only for ``output_mode="int"``: every row gets exactly this many ids.

    Examples
    --------
    >>> import nn
    >>> layer = nn.layers.TextVectorization(output_mode="count",
    ...                                     vocabulary=["sat", "the", "cat"])
    >>> layer(["The cat, the hat."]).numpy()
    array([[1., 0., 2., 1.]], dtype=float32)
    """

    input_kinds = "biufUSO"  # raw strings (checked in call)

    def __init__(self, max_tokens: int | None = None,
                 standardize: str | Callable | None = "lower_and_strip_punctuation",
                 split: str | Callable | None = "whitespace", ngrams: Any = None,
                 output_mode: str = "int", output_sequence_length: int | None = None,
                 pad_to_max_tokens: bool = False, vocabulary: Any = None,
                 idf_weights: Any = None, sparse: bool = False, ragged: bool = False,
                 encoding: str = "utf-8", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        where = f"TextVectorization layer '{self.name}'"
        if not (standardize in (None, "lower_and_strip_punctuation", "lower",
                                "strip_punctuation") or callable(standardize)):
            raise ValueError(f"{where}: standardize must be 'lower_and_strip_punctuation', "
                             f"'lower', 'strip_punctuation', None or a function, got "
                             f"{standardize!r}.")
        if not (split in (None, "whitespace", "character") or callable(split)):
            raise ValueError(f"{where}: split must be 'whitespace', 'character', None or a "
                             f"function, got {split!r}.")
        if ngrams is not None:
            raise ValueError(f"{where}: ngrams are not supported yet; leave ngrams=None.")
        if ragged:
            raise ValueError(f"{where}: ragged=True is not supported; rows are padded with 0.")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError(f"{where}: output_sequence_length only goes with "
                             f"output_mode='int' (got {output_mode!r}).")
        self.standardize = standardize
        self.split = split
        self.output_mode = "tf_idf" if output_mode == "tf-idf" else output_mode
        self.output_sequence_length = output_sequence_length
        self.encoding = encoding
        self.lookup = StringLookup(
            max_tokens=max_tokens, num_oov_indices=1,
            mask_token="" if self.output_mode == "int" else None, vocabulary=vocabulary,
            idf_weights=idf_weights, output_mode=self.output_mode,
            pad_to_max_tokens=pad_to_max_tokens, encoding=encoding,
            name=f"{self.name}_string_lookup")

    # ---------------------------------------------------------------- text -> tokens
    def _standardize(self, text: str) -> str:
        if callable(self.standardize):
            return self.standardize(text)
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.translate(ASCII_LOWER)
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = STRIP_PUNCTUATION.sub("", text)
        return text

    def _split(self, text: str) -> list[str]:
        if callable(self.split):
            return list(self.split(text))
        if self.split == "whitespace":
            return text.split()
        return list(text)  # "character": every character, spaces included

    def _strings(self, data: np.ndarray) -> list[str]:
        return [t.decode(self.encoding) if isinstance(t, bytes) else t
                for t in data.reshape(-1).tolist()]

    def _documents(self, inputs: Any) -> tuple[list[list[str]], tuple]:
        """The token lists of each string, and the input's shape without a last axis of 1."""
        data = _as_array(inputs)
        if data.dtype.kind not in "USO":
            raise ValueError(f"TextVectorization layer '{self.name}' takes strings, got an "
                             f"array of dtype {data.dtype} and shape {data.shape}. Pass "
                             "raw text, e.g. ['a sentence', 'another one'].")
        if self.split is not None and data.ndim > 1:
            if data.ndim > 2 or data.shape[-1] != 1:
                raise ValueError(f"TextVectorization layer '{self.name}': to split strings "
                                 f"into tokens the input must have shape (batch,) or "
                                 f"(batch, 1), got {data.shape}.")
            data = data[:, 0]
        texts = [self._standardize(t) for t in self._strings(data)]
        if self.split is None:
            return [[t] for t in texts], data.shape
        return [self._split(t) for t in texts], data.shape

    # ---------------------------------------------------------------- vocabulary
    def adapt(self, data: Any, batch_size: Any = None, steps: int | None = None) -> None:
        """Learn the vocabulary from strings: a list/array, or an iterable of batches."""
        if self.lookup._has_input_vocabulary:
            raise ValueError(f"TextVectorization layer '{self.name}' was given its "
                             "vocabulary; adapt() would replace it.")
        batches, _ = _batches(data)
        for number, batch in enumerate(batches):
            if steps is not None and number >= steps:
                break
            documents, _ = self._documents(batch.reshape(-1) if batch.ndim == 0 else batch)
            self.lookup._count_documents(documents)
        self.lookup._finalize()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """The token of each id: ``["", "[UNK]", most frequent, ...]`` in "int" mode."""
        return self.lookup.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self.lookup.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        self.lookup.set_vocabulary(vocabulary, idf_weights)

    # ---------------------------------------------------------------- call
    def call(self, inputs: Any) -> Tensor:
        self.lookup._check_ready()
        documents, shape = self._documents(inputs)
        rows = [self.lookup.lookup_ids(tokens) for tokens in documents]
        if self.output_mode != "int":
            if self.output_mode == "one_hot":
                raise ValueError(f"TextVectorization layer '{self.name}': output_mode "
                                 "'one_hot' is not offered (Keras neither); use 'multi_hot'.")
            return Tensor(self.lookup.encode(rows))
        if self.split is None:  # one id per string, in the input's shape
            ids = np.asarray([r[0] for r in rows], dtype=np.int64).reshape(shape)
            return Tensor(self._fit_length(ids) if ids.ndim > 1 else ids)
        length = self.output_sequence_length
        if length is None:
            length = max((len(r) for r in rows), default=0)
        ids = np.zeros((len(rows), length), dtype=np.int64)
        for r, row in enumerate(rows):
            row = row[:length]
            ids[r, :len(row)] = row
        return Tensor(ids)

    def _fit_length(self, ids: np.ndarray) -> np.ndarray:
        length = self.output_sequence_length
        if length is None:
            return ids
        ids = ids[..., :length]
        return np.pad(ids, [(0, 0)] * (ids.ndim - 1) + [(0, length - ids.shape[-1])])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        batch = tuple(input_shape)[0] if len(input_shape) else None
        if self.output_mode != "int":
            return (batch, self.lookup._depth())
        if self.split is None:
            shape = tuple(input_shape)
            if self.output_sequence_length is not None and len(shape) > 1:
                shape = shape[:-1] + (self.output_sequence_length,)
            return shape
        return (batch, self.output_sequence_length)

    def get_config(self) -> dict:
        for name, value in (("standardize", self.standardize), ("split", self.split)):
            if callable(value):
                raise ValueError(f"TextVectorization layer '{self.name}': a {name} function "
                                 "cannot be saved in a config; register a named one or use "
                                 "a built-in option.")
        lookup = self.lookup.get_config()
        return {**super().get_config(), "max_tokens": self.lookup.max_tokens,
                "standardize": self.standardize, "split": self.split, "ngrams": None,
                "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": self.lookup.pad_to_max_tokens,
                "vocabulary": lookup["vocabulary"], "idf_weights": lookup["idf_weights"],
                "encoding": self.encoding}


# The classes a saved file may name (nn/saving/registry.py).
register(StringLookup)
register(IntegerLookup)
register(TextVectorization)
