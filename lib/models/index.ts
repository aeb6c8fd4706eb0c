/**
 * Models shipped with the kit, apart from the data sets they were trained
 * on (as torchvision keeps `models` apart from `datasets`). Their weights
 * are made by a script in this folder that anyone can rerun
 * (`npm run pretrain`) and read from disk: nothing is downloaded at run time.
 *
 *   const net = models.fashionCnn();                     // trained on Fashion-MNIST, eval mode
 *   models.fashionCnnInfo().heldOut;                     // { split, images, accuracy } it was measured on
 *   const fresh = models.makeFashionCnn({ seed: 1 });    // same layers, random weights
 */
export * from "./fashionCnn";
