/**
 * Data for the labs, like torch.utils.data plus the sets the course uses:
 * a seeded DataLoader, toy 2-D sets, lab 5's sequence tasks, and real data
 * shipped by packages (MNIST digits, Fashion-MNIST, per-language word lists);
 * nothing is downloaded at run time.
 *
 *   const loader = new DataLoader(moons({ n: 200, seed: 0 }), { batchSize: 32, shuffle: true });
 */
export { DataLoader, type DataLoaderOptions } from "./loader";
export { TensorDataset, type Batch, type Dataset, type SplitOptions } from "./dataset";
export { Random } from "./random";
export { blobs, circles, moons, oneHot, xor, type Toy2D, type ToyOptions } from "./toy";
export {
  copyTask,
  reverseTask,
  sequenceTask,
  sortTask,
  type SequenceTaskName,
  type SequenceTaskOptions,
} from "./sequences";
export { readIdx, parseIdx, type IdxArray } from "./idx";
export { type ImageLayout, type ImageOptions, type ImageSet } from "./images";
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DEBIAN_DIR,
  FASHION_MNIST_DIR,
  FASHION_MNIST_KIT_FOLDER,
  fashionMnist,
  findFashionMnist,
  idxImages,
  type FashionMnistOptions,
  type FashionMnistSearch,
  type IdxImagesOptions,
} from "./fashionMnist";
export { mnistDigits, type MnistOptions } from "./mnist";
export { WORD_LANGUAGES, wordLists, type WordLanguage, type WordListOptions } from "./words";
export { MissingDataError } from "./files";
