// Stylesheets are imported for their effect: webpack's css loaders put them in the page.
declare module '*.css';
