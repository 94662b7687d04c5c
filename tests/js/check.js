// tests/js/check.js - opens a report.html in Debian's headless Chromium
// (through playwright-core, no downloaded browser) and checks that it renders:
// no console error, no page error, no request leaving the file, every chart
// (inline <svg>) visible with a real size, the page no wider than a phone's
// screen, and the charts still visible in print media. Screenshots go next to
// the report as artefacts. Prints one JSON line; exits 1 on any failure.
//
// usage: node check.js REPORT.html MIN_CHARTS SCREENSHOT_PREFIX
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

async function main() {
    const [file, minChartsArg, shotPrefix] = process.argv.slice(2);
    const minCharts = Number(minChartsArg || 1);
    const problems = [];
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
               '--disable-component-update', '--disable-sync', '--no-first-run',
               '--disable-quic'],
        timeout: 60000,
    });
    const result = { charts: 0, visible: 0, requests: 0, errors: 0 };
    try {
        for (const view of [{ name: 'desktop', width: 1280, height: 900 },
                            { name: 'phone', width: 390, height: 844 }]) {
            const page = await browser.newPage({ viewport: { width: view.width, height: view.height } });
            page.on('console', (m) => {
                if (m.type() === 'error' || m.type() === 'warning') {
                    problems.push(`${view.name}: console ${m.type()}: ${m.text()}`);
                    result.errors++;
                }
            });
            page.on('pageerror', (err) => { problems.push(`${view.name}: page error: ${err}`); result.errors++; });
            page.on('request', (req) => {
                const u = req.url();
                if (!u.startsWith('file://') && !u.startsWith('data:')) {
                    problems.push(`${view.name}: request to ${u}`);
                    result.requests++;
                }
            });
            await page.goto('file://' + path.resolve(file), { waitUntil: 'load', timeout: 30000 });
            const info = await page.evaluate(() => {
                const svgs = Array.from(document.querySelectorAll('svg'));
                const out = { charts: svgs.length, bad: [] , scripts: document.scripts.length };
                for (const [i, s] of svgs.entries()) {
                    const r = s.getBoundingClientRect();
                    const st = getComputedStyle(s);
                    const ok = r.width >= 150 && r.height >= 80 && st.display !== 'none' &&
                        st.visibility !== 'hidden' && Number(st.opacity) > 0 &&
                        r.right <= document.documentElement.clientWidth + 1 &&
                        s.querySelectorAll('path, polyline, rect, line').length > 0;
                    if (!ok) out.bad.push(`svg ${i}: ${Math.round(r.width)}x${Math.round(r.height)} display ${st.display}`);
                }
                out.overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
                out.title = document.title;
                out.sections = document.querySelectorAll('section[id^="site-"]').length;
                return out;
            });
            if (info.charts < minCharts) problems.push(`${view.name}: ${info.charts} charts, expected at least ${minCharts}`);
            for (const b of info.bad) problems.push(`${view.name}: chart not visible: ${b}`);
            if (info.scripts) problems.push(`${view.name}: ${info.scripts} script elements`);
            if (info.overflow > 1) problems.push(`${view.name}: page ${info.overflow}px wider than the screen`);
            result.charts = info.charts;
            result.visible = info.charts - info.bad.length;
            result.sections = info.sections;
            result.title = info.title;
            await page.screenshot({ path: `${shotPrefix}-${view.name}.png`, fullPage: view.name === 'desktop' });
            if (view.name === 'desktop') {
                await page.emulateMedia({ media: 'print' });
                const hidden = await page.evaluate(() => Array.from(document.querySelectorAll('svg'))
                    .filter((s) => s.getBoundingClientRect().width < 150).length);
                if (hidden) problems.push(`print: ${hidden} charts not visible`);
                await page.pdf({ path: `${shotPrefix}.pdf`, format: 'A4' });
            }
            await page.close();
        }
    } finally {
        await browser.close();
    }
    result.problems = problems;
    console.log(JSON.stringify(result));
    process.exit(problems.length ? 1 : 0);
}

main().catch((err) => { console.log(JSON.stringify({ problems: [String(err)] })); process.exit(1); });
