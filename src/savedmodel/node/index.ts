/** Node-only entry points of the SavedModel area. */
export { zipSavedModelFolder, listSavedModelFiles } from "./zip-folder.js";
