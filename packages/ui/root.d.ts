/** Absolute path of the built console (index.html and assets/), made by `npm run build`. */
export declare const consoleRoot: string;
