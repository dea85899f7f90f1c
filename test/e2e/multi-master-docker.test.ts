/** Two masters behind every node's local apiserver proxy, with 1.20.2 on Docker (inventory/lab-docker). */
import { multiMasterSuite } from "./multi-master-suite.js";

multiMasterSuite("lab-docker", "hadocker");
