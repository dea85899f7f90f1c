/** The binary bundle: the versions manifest, filling the bundle folder, and what roles install from it. */
export { bundleVars, componentSource, ARCHES, COMPONENTS, SOURCES, type Arch, type ComponentName, type BundleSource } from "./bundle-vars.js";
export { componentManifest, debianUpstreamVersion, versionAtLeast, type ComponentManifest } from "./manifest.js";
export { bundledFiles, readBundleLock, componentFolder, LOCK_FILE, type BundleLock, type LockedComponent } from "./bundle-lock.js";
export { fillBundle, type BundleRequest, type FillReport } from "./fill-bundle.js";
export { planBundle, bundleDirFor, type PlannedComponent } from "./bundle-plan.js";
export { installFromBundle, installFromBundleTask, imagesFromBundle, bundledImages, bundleHasComponent, type InstallTaskArgs } from "./install-from-bundle.js";
export { bundleImages, corednsFor, pauseImage, dockerTag, BUSYBOX_IMAGE, type BundleImage } from "./images/bundle-images.js";
