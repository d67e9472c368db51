"""What several test files share about models: the book's registry names and a tiny run profile."""

from rnnbook.profiles import Profile

# The book's models in the order `rnnbook models` lists them (the registration order), by registry name.
CHAPTER_MODELS = (
    "naive_last_value",
    "naive_n_steps",
    "linear",
    "linear_n_steps",
    "unrolled_rnn",
    "simple_rnn",
    "deep_rnn",
    "deep_rnn_dense",
    "iterative_deep_rnn",
    "seq2vec_rnn",
    "seq2seq_rnn",
    "seq2seq_rnn_dropout",
    "seq2seq_rnn_batchnorm",
    "seq2seq_layernorm_rnn",
    "encoder_decoder",
    "seq2seq_lstm",
    "seq2seq_gru",
    "seq2seq_conv1d_gru",
    "wavenet_simple",
    "wavenet",
    "arma",
    "seasonal_naive",
    "sarima",
    "ets",
    "auto_arima",
    "theta",
)

#: A run profile small enough that a model trains in about a second (120 series of 20 steps, 2 epochs).
TINY = Profile("tiny", n_series=120, n_steps=20, split=(80, 20, 20), epochs=2, batch_size=16, patience=None)
