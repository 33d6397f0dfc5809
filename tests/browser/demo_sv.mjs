// Every page of the demo in Swedish (see demo_crawl.mjs).
import { crawlDemo } from './demo_crawl.mjs';

await crawlDemo('sv');
