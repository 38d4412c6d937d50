/** The packed digits' format, shared by the build-time packer (Node) and the app (no imports: the Vite config loads it). */
export const MNIST_SIDE = 14;
export const MNIST_PER_CLASS = 350;
