#!/usr/bin/env node
/**
 * Renders the app icons of the web app manifest from public/favicon.svg with
 * Debian's Chromium (the same one the tests drive), so the PNGs are the SVG's
 * own pixels:
 *   public/icon-192.png, public/icon-512.png   the logo with its rounded corners, transparent around them
 *   public/icon-maskable-512.png               full-bleed background, the logo inside the maskable safe zone
 *
 *   node scripts/make-icons.mjs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const publicDir = new URL('../public/', import.meta.url).pathname;
const logo = readFileSync(join(publicDir, 'favicon.svg'), 'utf8');

/**
 * The maskable variant: launchers crop to any shape that contains the centred
 * circle of 40 % radius, so the background fills the square and the drawing,
 * scaled to 80 %, stays inside that circle.
 */
function maskable(svg) {
  const background = /<rect width="64" height="64" rx="12" fill="(#[0-9a-f]{6})"\/>/.exec(svg);
  if (!background) throw new Error('favicon.svg: the 64×64 background rect was not found');
  const drawing = svg.replace(background[0], '').replace(/^<svg[^>]*>|<\/svg>\s*$/g, '');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="${background[1]}"/><g transform="translate(32 32) scale(0.8) translate(-32 -32)">${drawing}</g></svg>`;
}

const icons = [
  { file: 'icon-192.png', size: 192, svg: logo },
  { file: 'icon-512.png', size: 512, svg: logo },
  { file: 'icon-maskable-512.png', size: 512, svg: maskable(logo) },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu'],
});
try {
  for (const { file, size, svg } of icons) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const sized = svg.replace('<svg ', `<svg width="${size}" height="${size}" `);
    await page.setContent(`<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block}</style>${sized}`);
    writeFileSync(join(publicDir, file), await page.screenshot({ omitBackground: true }));
    await page.close();
    console.log(`public/${file} (${size}×${size})`);
  }
} finally {
  await browser.close();
}
