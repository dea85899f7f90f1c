/** Container images for the bundle: `docker save` archives written without Docker, and a registry client that fills them. */
export { writeDockerArchive, layerTarOf, REPRODUCIBLE_TAR, type ImageToWrite, type ImageRunConfig, type WrittenImage } from "./docker-archive.js";
export { pullImage, type PullImageOptions, type PulledImage } from "./registry-pull.js";
export { parseImageReference, familiarName, repoTagOf, registryLocation, type ImageReference } from "./registry-reference.js";
export type { RegistryCredentials } from "./registry-http.js";
