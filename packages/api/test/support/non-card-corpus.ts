/**
 * Realistic text that holds no card number, generated deterministically from a seed, for
 * measuring how often card-data detection refuses what a real user would send.
 */

export interface CorpusSample {
  readonly category: string;
  readonly text: string;
  /** The request header the text arrives in, when it is one; otherwise it is a JSON string. */
  readonly header?: string;
}

/** Categories that are values of the request header of the same name. */
const HEADER_CATEGORIES: ReadonlySet<string> = new Set([
  'x-forwarded-for',
  'user-agent',
  'x-amzn-trace-id',
  'traceparent',
]);

function ibanCheckDigits(country: string, account: string): string {
  let remainder = 0;
  for (const char of `${account}${country}00`) {
    const value = Number.parseInt(char, 36);
    remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97;
  }
  return pad(98 - remainder, 2);
}

/** Small, fast, seedable generator (mulberry32); the same seed yields the same corpus. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  digits(count: number): string {
    let text = '';
    for (let index = 0; index < count; index++) text += String(this.int(0, 9));
    return text;
  }

  hex(count: number): string {
    let text = '';
    for (let index = 0; index < count; index++) text += this.int(0, 15).toString(16);
    return text;
  }
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function date(random: Random): { y: number; m: number; d: number } {
  return { y: random.int(1920, 2035), m: random.int(1, 12), d: random.int(1, 28) };
}

function time(random: Random): { h: number; mi: number; s: number } {
  return { h: random.int(0, 23), mi: random.int(0, 59), s: random.int(0, 59) };
}

const generators: Readonly<Record<string, (random: Random) => string>> = {
  date: (random) => {
    const { y, m, d } = date(random);
    return random.pick([
      `${y}-${pad(m, 2)}-${pad(d, 2)}`,
      `${pad(m, 2)}/${pad(d, 2)}/${y}`,
      `${pad(d, 2)}.${pad(m, 2)}.${y}`,
      `${d}/${m}/${String(y).slice(2)}`,
      `${d} ${MONTH_NAMES[m - 1]} ${y}`,
      `${MONTHS[m - 1]} ${d}, ${y}`,
      `${y}${pad(m, 2)}${pad(d, 2)}`,
      `date of birth ${pad(d, 2)}/${pad(m, 2)}/${y}`,
      `seen ${y}-${pad(m, 2)}-${pad(d, 2)}, follow-up ${y}-${pad(Math.min(m + 1, 12), 2)}-${pad(d, 2)}`,
      `${pad(m, 2)}/${String(y).slice(2)}`,
    ]);
  },
  timestamp: (random) => {
    const { y, m, d } = date(random);
    const { h, mi, s } = time(random);
    const ms = random.int(0, 999);
    const epoch = random.int(946_684_800, 2_000_000_000);
    return random.pick([
      `${y}-${pad(m, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`,
      `${y}-${pad(m, 2)}-${pad(d, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`,
      `${y}-${pad(m, 2)}-${pad(d, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}`,
      `${y}-${pad(m, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}+0${random.int(1, 9)}:00`,
      `${DAYS[random.int(0, 6)]}, ${pad(d, 2)} ${MONTHS[m - 1]} ${y} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)} GMT`,
      `${pad(d, 2)}/${MONTHS[m - 1]}/${y}:${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)} +0000`,
      String(epoch),
      `${epoch}${pad(ms, 3)}`,
      `${y}${pad(m, 2)}${pad(d, 2)}T${pad(h, 2)}${pad(mi, 2)}${pad(s, 2)}Z`,
      `${pad(h, 2)}:${pad(mi, 2)} on ${pad(m, 2)}/${pad(d, 2)}/${y}`,
    ]);
  },
  phone: (random) =>
    random.pick([
      `+1 (${random.int(201, 989)}) ${random.int(200, 999)}-${random.digits(4)}`,
      `+1${random.int(201, 989)}${random.int(200, 999)}${random.digits(4)}`,
      `+44 7${random.digits(3)} ${random.digits(6)}`,
      `+44 20 ${random.digits(4)} ${random.digits(4)}`,
      `+49 15${random.int(0, 9)} ${random.digits(8)}`,
      `+49${random.int(30, 89)}${random.digits(8)}`,
      `+33 6 ${random.digits(2)} ${random.digits(2)} ${random.digits(2)} ${random.digits(2)}`,
      `+91 ${random.int(70, 99)}${random.digits(3)} ${random.digits(5)}`,
      `+86 1${random.int(30, 89)} ${random.digits(4)} ${random.digits(4)}`,
      `+81 90-${random.digits(4)}-${random.digits(4)}`,
      `+61 4${random.digits(2)} ${random.digits(3)} ${random.digits(3)}`,
      `+55 11 9${random.digits(4)}-${random.digits(4)}`,
      `+62 8${random.digits(2)}-${random.digits(4)}-${random.digits(4)}`,
      `+7 9${random.digits(2)} ${random.digits(3)}-${random.digits(2)}-${random.digits(2)}`,
      `(0${random.int(20, 99)}) ${random.digits(4)} ${random.digits(4)}`,
      `call ${random.int(200, 999)}.${random.int(200, 999)}.${random.digits(4)} ext. ${random.digits(3)}`,
    ]),
  uuid: (random) => {
    const variant = random.pick(['8', '9', 'a', 'b']);
    const uuid = `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-${variant}${random.hex(3)}-${random.hex(12)}`;
    return random.pick([uuid, uuid.toUpperCase(), `request ${uuid}`, `urn:uuid:${uuid}`]);
  },
  amount: (random) => {
    const major = random.int(0, 250_000);
    const minor = pad(random.int(0, 99), 2);
    const grouped = major.toLocaleString('en-US');
    return random.pick([
      `$${grouped}.${minor}`,
      `${major}.${minor} USD`,
      `EUR ${grouped.replaceAll(',', '.')},${minor}`,
      `£${grouped}.${minor}`,
      `¥${grouped}`,
      `CHF ${grouped.replaceAll(',', "'")}.${minor}`,
      `total ${major}.${minor}, tax ${random.int(0, 999)}.${pad(random.int(0, 99), 2)}`,
      `${random.int(1, 12)} x ${random.int(1, 999)}.${minor}`,
      `${major}${minor}`,
      `refund of ${grouped}.${minor} on ${random.int(1, 28)}/${random.int(1, 12)}`,
    ]);
  },
  invoice: (random) => {
    const { y, m } = date(random);
    return random.pick([
      `INV-${y}-${random.digits(6)}`,
      `Invoice #${y}${pad(m, 2)}-${random.digits(4)}`,
      `invoice ${random.digits(8)}`,
      `Rechnung Nr. ${random.digits(7)}`,
      `PO ${random.digits(10)}`,
      `statement ${y}/${pad(m, 2)} ref ${random.digits(6)}`,
      `INV/${y}/${pad(m, 2)}/${random.digits(5)}`,
      `claim ${random.digits(12)}`,
    ]);
  },
  order: (random) =>
    random.pick([
      `ORD-${random.digits(8)}`,
      `order #${random.digits(7)}`,
      `#${random.int(1000, 99_999)}`,
      `SO-${random.int(2018, 2030)}-${random.digits(5)}`,
      `order ${random.hex(12).toUpperCase()}`,
      `tracking 1Z${random.hex(6).toUpperCase()}${random.digits(10)}`,
      `booking ${random.hex(6).toUpperCase()}`,
      `shipment ${random.digits(12)}`,
    ]),
  clinical: (random) =>
    random.pick([
      `Metformin ${random.pick([500, 850, 1000])} mg PO BID`,
      `BP ${random.int(90, 180)}/${random.int(50, 110)} mmHg, HR ${random.int(45, 130)}, SpO2 ${random.int(88, 100)}%`,
      `ICD-10 ${random.pick(['E11.9', 'I10', 'J45.909', 'S72.001A', 'Z79.4', 'F32.A', 'M54.5'])}`,
      `LOINC ${random.int(1000, 99_999)}-${random.int(0, 9)}`,
      `HbA1c ${random.int(5, 12)}.${random.int(0, 9)} % on ${random.int(1, 12)}/${random.int(1, 28)}/${random.int(2015, 2030)}`,
      `Temp ${random.int(36, 40)}.${random.int(0, 9)} C, RR ${random.int(10, 30)}, weight ${random.int(40, 140)}.${random.int(0, 9)} kg`,
      `NDC ${random.digits(5)}-${random.digits(4)}-${random.digits(2)}`,
      `NPI ${random.int(1, 2)}${random.digits(9)}`,
      `CPT ${random.int(10_000, 99_999)}, modifier 25`,
      `SNOMED CT ${random.int(100_000, 999_999_999)}`,
      `Insulin glargine ${random.int(4, 60)} units at ${random.int(18, 22)}:00; lispro ${random.int(2, 12)}-${random.int(12, 20)} units with meals`,
      `Lab: Na ${random.int(130, 150)}, K ${random.int(3, 5)}.${random.int(0, 9)}, Cr ${random.int(0, 3)}.${random.int(0, 9)}, glucose ${random.int(60, 400)} mg/dL`,
      `MRN ${random.digits(8)}`,
      `MRN-${random.digits(7)}-${random.pick(['A', 'B', 'C'])}`,
      `room ${random.int(100, 999)}, bed ${random.int(1, 4)}`,
      `dose ${random.int(1, 20)} mg/kg q${random.pick([4, 6, 8, 12])}h x ${random.int(3, 14)} days`,
    ]),
  iban: (random) => {
    const country = random.pick(['DE', 'FR', 'GB', 'NL', 'ES', 'IT', 'CH', 'BE', 'AT', 'PL']);
    const bban: Record<string, () => string> = {
      DE: () => random.digits(18),
      FR: () => `${random.digits(10)}${random.hex(11).toUpperCase()}${random.digits(2)}`,
      GB: () => `${random.pick(['NWBK', 'BARC', 'HBUK', 'LOYD'])}${random.digits(14)}`,
      NL: () => `${random.pick(['ABNA', 'INGB', 'RABO'])}${random.digits(10)}`,
      ES: () => random.digits(20),
      IT: () => `${random.pick(['X', 'A', 'K'])}${random.digits(10)}${random.hex(12).toUpperCase()}`,
      CH: () => random.digits(17),
      BE: () => random.digits(12),
      AT: () => random.digits(16),
      PL: () => random.digits(24),
    };
    const account = (bban[country] as () => string)();
    const iban = `${country}${ibanCheckDigits(country, account)}${account}`;
    const grouped = iban.replace(/(.{4})/g, '$1 ').trim();
    return random.pick([iban, grouped, `IBAN ${grouped}`]);
  },
  identifier: (random) =>
    random.pick([
      random.hex(32),
      `sha256:${random.hex(64)}`,
      `key_${random.hex(24)}`,
      `https://portal.example.org/patients?page=${random.int(1, 50)}&sort=createdAt`,
      `v${random.int(1, 9)}.${random.int(0, 30)}.${random.int(0, 99)}`,
    ]),
  'user-agent': (random) =>
    random.pick([
      `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${random.int(100, 140)}.0.${random.int(1000, 9999)}.${random.int(10, 200)} Safari/537.36`,
      `Mozilla/5.0 (iPhone; CPU iPhone OS 17_${random.int(0, 6)} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.${random.int(0, 6)} Mobile/15E148 Safari/604.1`,
      `okhttp/4.${random.int(0, 12)}.${random.int(0, 9)}`,
      `citadel-client/1.${random.int(0, 20)}.${random.int(0, 9)} node/20.${random.int(0, 19)}.${random.int(0, 9)}`,
    ]),
  'x-amzn-trace-id': (random) =>
    `Root=1-${random.int(0x60000000, 0x70000000).toString(16)}-${random.hex(24)}`,
  traceparent: (random) => `00-${random.hex(32)}-${random.hex(16)}-01`,
  'x-forwarded-for': (random) => {
    const hops = random.int(1, 3);
    const addresses: string[] = [];
    for (let hop = 0; hop < hops; hop++) {
      addresses.push(
        random.pick([
          `${random.int(1, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
          `2001:db8:${random.hex(4)}:${random.hex(4)}::${random.hex(3)}`,
        ]),
      );
    }
    return addresses.join(', ');
  },
  note: (random) => {
    const { y, m, d } = date(random);
    return random.pick([
      `Patient seen on ${y}-${pad(m, 2)}-${pad(d, 2)} for follow-up; BP ${random.int(100, 160)}/${random.int(60, 100)}; continue lisinopril ${random.pick([5, 10, 20, 40])} mg daily.`,
      `Copay of $${random.int(5, 80)}.00 collected at ${pad(random.int(8, 17), 2)}:${pad(random.int(0, 59), 2)}, receipt ${random.digits(6)}.`,
      `Referral to cardiology, fax (${random.int(201, 989)}) ${random.int(200, 999)}-${random.digits(4)}, auth #${random.digits(9)}.`,
      `Invoice ${random.digits(6)} dated ${pad(d, 2)}.${pad(m, 2)}.${y}: ${random.int(1, 9)} visits at ${random.int(50, 400)}.00 EUR.`,
      `Allergies: penicillin (rash, ${y}); sulfa. Immunizations up to date as of ${pad(m, 2)}/${y}.`,
      `Plan: recheck A1c in ${random.int(2, 6)} months; call 911 if chest pain; next visit ${MONTHS[m - 1]} ${d}.`,
    ]);
  },
};

/**
 * Text where every-window detection is known to refuse often: long decimal fractions, whose
 * digits on both sides of the point read as one run. Measured and reported apart from the
 * corpus above.
 */
const weakSpotGenerators: Readonly<Record<string, (random: Random) => string>> = {
  coordinates: (random) =>
    `${(random.next() * 180 - 90).toFixed(6)}, ${(random.next() * 360 - 180).toFixed(6)}`,
  'full-precision decimal': (random) => String(random.next() * 10),
};

/** `perCategory` samples of each weak-spot category, the same for the same seed. */
export function weakSpotCorpus(perCategory: number, seed = 20_261_130): CorpusSample[] {
  const random = new Random(seed);
  return Object.entries(weakSpotGenerators).flatMap(([category, generate]) =>
    Array.from({ length: perCategory }, () => ({ category, text: generate(random) })),
  );
}

/** Category names, in a stable order. */
export const CORPUS_CATEGORIES = Object.keys(generators);

/** `perCategory` samples of each category, the same for the same seed. */
export function nonCardCorpus(perCategory: number, seed = 20_261_130): CorpusSample[] {
  const random = new Random(seed);
  const samples: CorpusSample[] = [];
  for (const category of CORPUS_CATEGORIES) {
    const generate = generators[category] as (random: Random) => string;
    for (let index = 0; index < perCategory; index++) {
      const text = generate(random);
      samples.push(
        HEADER_CATEGORIES.has(category) ? { category, text, header: category } : { category, text },
      );
    }
  }
  return samples;
}
