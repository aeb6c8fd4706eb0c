/**
 * Layers, losses and the Module base, shaped like `torch.nn`: same names,
 * same parameter layout and names, same initialisation, so a PyTorch state
 * dict loads and gives the same numbers.
 */
export { Module, type SavedStateDict } from "./module";
export { manualSeed, withManualSeed } from "./random";
export * as functional from "./functional";
export { Linear, type LinearArgs } from "./linear";
export { Sequential, ModuleList } from "./sequential";
export { Tanh, ReLU, Sigmoid, GELU, Softmax } from "./activations";
export { Flatten, type FlattenArgs } from "./flatten";
export { Dropout, type DropoutArgs } from "./dropout";
export {
  crossEntropy,
  nllLoss,
  mse,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  CrossEntropyLoss,
  NLLLoss,
  MSELoss,
  BCELoss,
  BCEWithLogitsLoss,
  type LossArgs,
  type Reduction,
} from "./losses";
export { Conv2d, type Conv2dArgs, type Size2 } from "./conv2d";
export { MaxPool2d, AvgPool2d, type Pool2dArgs } from "./pooling";
export { LayerNorm, type LayerNormArgs } from "./layernorm";
export { Embedding, type EmbeddingArgs } from "./embedding";
export { RecurrentBase, type RecurrentArgs, type RecurrentResult } from "./recurrent";
export { RNN, RNNCell, type RNNArgs, type RNNCellArgs, type Nonlinearity } from "./rnn";
export { GRU } from "./gru";
export { LSTM } from "./lstm";
export { scaledDotProductAttention, type AttentionDropout, type AttentionResult } from "./scaled_dot_product_attention";
export { MultiheadAttention, type MultiheadAttentionArgs, type AttendOptions } from "./multihead_attention";
export {
  TransformerEncoderLayer,
  TransformerEncoder,
  type TransformerEncoderLayerArgs,
  type TransformerEncoderArgs,
  type EncoderResult,
} from "./transformer";
export { PositionalEncoding, LearnedPositionalEncoding, type PositionalEncodingArgs } from "./positional_encoding";
