/** Node-only entry points of the SavedModel area. */
export { zipSavedModelFolder } from "./zip-folder.js";
