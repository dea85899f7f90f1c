/** Two masters behind every node's local apiserver proxy, with the current release (inventory/lab). */
import { multiMasterSuite } from "./multi-master-suite.js";

multiMasterSuite("lab", "ha");
