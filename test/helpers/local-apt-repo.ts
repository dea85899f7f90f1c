/** The lab's local apt repository (lib/lab/lab-apt-repo.ts), for tests that install packages on lab machines. */
export { buildLocalAptRepo, offerRepo, placeRepo } from "../../lib/lab/lab-apt-repo.js";
